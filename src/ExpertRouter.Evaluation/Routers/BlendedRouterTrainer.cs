using System.Globalization;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;

namespace ExpertRouter.Evaluation.Routers;

/// <summary>
/// A weighted mean of other routers' predictions, asked for by name in a router list: <c>irt+knn</c> (equal weights)
/// or <c>irt:0.3+knn:0.7</c>. It answers whether two routers know different things about the prompts: if the blend
/// beats both, each sees something the other misses. Each part is trained on the same training set and seed as it
/// would be alone. Where a part has no opinion (NaN) on an expert, the others' weights are renormalised.
/// </summary>
public sealed class BlendedRouterTrainer : IRouterTrainer
{
    private readonly IReadOnlyList<(IRouterTrainer Trainer, double Weight)> _parts;

    private BlendedRouterTrainer(string name, IReadOnlyList<(IRouterTrainer Trainer, double Weight)> parts)
    {
        Name = name;
        _parts = parts;
    }

    public string Name { get; }

    /// <summary>The parts and their weights, which sum to 1.</summary>
    public IReadOnlyList<(string Name, double Weight)> Parts => _parts.Select(p => (p.Trainer.Name, p.Weight)).ToArray();

    /// <summary>True when <paramref name="name"/> asks for a blend at all (it has a '+').</summary>
    public static bool IsBlend(string name) => name.Contains('+', StringComparison.Ordinal);

    /// <summary>
    /// Parses "a+b" or "a:wa+b:wb" against registered trainers. The oracle cannot be a part: it reads the test outcomes,
    /// and a blend with it would look like a router that had not.
    /// </summary>
    public static BlendedRouterTrainer? TryParse(string name, Func<string, IRouterTrainer?> registered, out string? error)
    {
        var parts = new List<(IRouterTrainer, double)>();
        var problems = new List<string>();
        var terms = name.Split('+', StringSplitOptions.TrimEntries);
        foreach (var term in terms)
        {
            var colon = term.IndexOf(':', StringComparison.Ordinal);
            var partName = colon < 0 ? term : term[..colon];
            var weight = 1.0;
            if (colon >= 0 && (!double.TryParse(term[(colon + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out weight)
                || !double.IsFinite(weight) || weight <= 0))
            {
                problems.Add($"weight '{term[(colon + 1)..]}' of '{partName}' is not a positive number");
                continue;
            }

            if (partName.Equals(OracleRouterTrainer.RouterName, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add("the oracle reads the test outcomes and cannot be blended");
            }
            else if (registered(partName) is { } trainer)
            {
                parts.Add((trainer, weight));
            }
            else
            {
                problems.Add($"'{partName}' is not a registered router");
            }
        }

        if (terms.Length < 2)
        {
            problems.Add("a blend needs two or more routers");
        }

        if (problems.Count > 0)
        {
            error = $"{name} ({string.Join("; ", problems)})";
            return null;
        }

        error = null;
        var total = parts.Sum(p => p.Item2);
        return new BlendedRouterTrainer(name, parts.Select(p => (p.Item1, p.Item2 / total)).ToArray());
    }

    public IRouter Train(RouterTrainingSet training, CancellationToken cancellationToken)
    {
        var routers = new IRouter[_parts.Count];
        for (var i = 0; i < routers.Length; i++)
        {
            var done = (double)i / routers.Length;
            var progress = training.Progress is { } total ? new PartProgress(total, done, routers.Length) : null;
            routers[i] = _parts[i].Trainer.Train(training with { Progress = progress }, cancellationToken);
        }

        training.Progress?.Report(1);
        return new BlendedRouter(Name, routers, _parts.Select(p => p.Weight).ToArray());
    }

    private sealed class PartProgress(IProgress<double> total, double offset, int parts) : IProgress<double>
    {
        public void Report(double value) => total.Report(offset + value / parts);
    }

    private sealed class BlendedRouter(string name, IRouter[] routers, double[] weights) : IRouter
    {
        public string Name => name;

        public async ValueTask EstimateQualityAsync(
            RoutingQuery query, IReadOnlyList<ExpertDefinition> candidates, Memory<double> quality, CancellationToken cancellationToken)
        {
            var sum = new double[candidates.Count];
            var weight = new double[candidates.Count];
            var part = new double[candidates.Count];
            for (var r = 0; r < routers.Length; r++)
            {
                await routers[r].EstimateQualityAsync(query, candidates, part, cancellationToken).ConfigureAwait(false);
                for (var c = 0; c < part.Length; c++)
                {
                    if (!double.IsNaN(part[c]))
                    {
                        sum[c] += weights[r] * part[c];
                        weight[c] += weights[r];
                    }
                }
            }

            var span = quality.Span;
            for (var c = 0; c < span.Length; c++)
            {
                span[c] = weight[c] > 0 ? sum[c] / weight[c] : double.NaN;
            }
        }
    }
}
