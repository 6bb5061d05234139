using ExpertRouter.Core.Routing;

namespace ExpertRouter.Gateway.Routing;

/// <summary>
/// The last decisions of each (serving, shadow) router pair, in a ring: how often the shadow agreed, and what each
/// side's choice was predicted to score and cost on average. Recent traffic only, so a swapped router shows its own.
/// </summary>
internal sealed class ShadowAgreement(int window)
{
    private readonly Dictionary<(string Serving, string Shadow), Ring> _pairs = [];
    private readonly Lock _gate = new();

    public void Record(string serving, string shadow, bool agrees, ExpertScore served, ExpertScore chosen)
    {
        var decision = new Decision(agrees, served.PredictedQuality, served.ExpectedCostUsd, chosen.PredictedQuality, chosen.ExpectedCostUsd);
        lock (_gate)
        {
            if (!_pairs.TryGetValue((serving, shadow), out var ring))
            {
                _pairs[(serving, shadow)] = ring = new Ring(window);
            }

            ring.Add(decision);
        }
    }

    public IReadOnlyList<ShadowReport> Reports()
    {
        lock (_gate)
        {
            return [.. _pairs.OrderBy(p => p.Key.Shadow, StringComparer.Ordinal).ThenBy(p => p.Key.Serving, StringComparer.Ordinal).Select(p =>
            {
                var recent = p.Value.Items;
                return new ShadowReport(
                    p.Key.Shadow, p.Key.Serving, p.Value.Total, recent.Count,
                    recent.Count == 0 ? 0 : recent.Count(d => d.Agrees) / (double)recent.Count,
                    Mean(recent.Select(d => d.ServingQuality)), Mean(recent.Select(d => d.ServingCostUsd)),
                    Mean(recent.Select(d => d.ShadowQuality)), Mean(recent.Select(d => d.ShadowCostUsd)));
            })];
        }
    }

    /// <summary>The mean of the finite values (a router with no opinion predicts NaN); null when there are none.</summary>
    private static double? Mean(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        return finite.Length == 0 ? null : finite.Average();
    }

    private readonly record struct Decision(bool Agrees, double ServingQuality, double ServingCostUsd, double ShadowQuality, double ShadowCostUsd);

    private sealed class Ring(int capacity)
    {
        private readonly Decision[] _items = new Decision[capacity];

        public long Total { get; private set; }

        public IReadOnlyList<Decision> Items => Total >= _items.Length ? _items : _items[..(int)Total];

        public void Add(Decision decision)
        {
            _items[Total % _items.Length] = decision;
            Total++;
        }
    }
}

/// <summary>A shadow router against the serving one, over the last <see cref="Window"/> decisions (of <see cref="Decisions"/> in all).</summary>
public sealed record ShadowReport(
    string Shadow,
    string Serving,
    long Decisions,
    int Window,
    double Agreement,
    double? ServingPredictedQuality,
    double? ServingExpectedCostUsd,
    double? ShadowPredictedQuality,
    double? ShadowExpectedCostUsd);
