using System.Collections.Frozen;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Invocation;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Routing;

namespace ExpertRouter.Gateway.Exploration;

/// <summary>
/// Which requests are explored, and which experts explore them: a routed single-expert chat request without tools,
/// whose tenant explores, is sampled with the tenant's rate; its explored experts are the plan's other candidates that
/// the router cannot score or learned from few prompts (an expert new to it, or one it was retrained on from a few
/// hundred explored prompts: their labels are what retraining needs most), then others drawn uniformly for the slots
/// left. Sampling and selection draw from two random sources (seeded with
/// <c>ExpertRouter:Exploration:Seed</c> for replayable runs), so concurrent selections never shift who gets sampled.
/// </summary>
public sealed class ExplorationSampler
{
    private readonly Func<double> _sampling;
    private readonly Func<double> _selection;

    public ExplorationSampler(int? seed)
    {
        _sampling = UpstreamRetryPipeline.JitterSource(seed);
        _selection = UpstreamRetryPipeline.JitterSource(seed is { } s ? unchecked(s * 31 + 7) : null);
    }

    /// <summary>Could this request be explored at all (before any random draw)?</summary>
    public static bool Eligible(TenantPolicy tenant, OpenAIRequest request, RoutingPlan plan) =>
        tenant.Exploration.Enabled && request.Endpoint == OpenAIEndpoint.ChatCompletions && !request.UsesTools
        && !plan.IsDirect && plan.Ensemble is null && plan.Ranking.Count >= 2;

    /// <summary>Draws whether an eligible request is sampled, with the tenant's rate.</summary>
    public bool Sample(TenantPolicy tenant) => _sampling() < tenant.Exploration.Rate;

    /// <summary>Up to <c>maxExperts</c> of <paramref name="eligible"/>, uniformly (a partial Fisher–Yates shuffle).</summary>
    public IReadOnlyList<ExpertDefinition> Select(IReadOnlyList<ExpertDefinition> eligible, int maxExperts) =>
        Select(eligible, maxExperts, wanted: _ => false).Experts;

    /// <summary>
    /// Up to <c>maxExperts</c> of <paramref name="eligible"/>: the <paramref name="wanted"/> ones first (uniformly
    /// among them when there are more than the slots), then uniformly among the rest; with each expert's probability of
    /// being picked, which off-policy estimates divide by.
    /// </summary>
    public ExplorationSelection Select(IReadOnlyList<ExpertDefinition> eligible, int maxExperts, Func<ExpertDefinition, bool> wanted)
    {
        var first = eligible.Where(wanted).ToArray();
        var rest = eligible.Where(e => !wanted(e)).ToArray();
        var fromFirst = Draw(first, Math.Min(maxExperts, first.Length));
        var fromRest = Draw(rest, Math.Min(maxExperts - fromFirst.Length, rest.Length));
        var probabilities = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var expert in fromFirst)
        {
            probabilities[expert.Id] = fromFirst.Length / (double)first.Length;
        }

        foreach (var expert in fromRest)
        {
            probabilities[expert.Id] = fromRest.Length / (double)rest.Length;
        }

        return new ExplorationSelection([.. fromFirst, .. fromRest], probabilities);
    }

    /// <summary>
    /// The experts a router learned from fewer than half the median of its experts' counts: a newcomer retrained on the
    /// few hundred prompts exploration gave it, beside experts known from a benchmark's thousands. Empty when the router
    /// records no counts, or all are alike.
    /// </summary>
    public static IReadOnlySet<string> ScarcelyLabelled(IReadOnlyDictionary<string, int> labels)
    {
        if (labels.Count < 2)
        {
            return FrozenSet<string>.Empty;
        }

        var counts = labels.Values.Order().ToArray();
        var median = counts.Length % 2 == 1 ? counts[counts.Length / 2] : (counts[(counts.Length / 2) - 1] + counts[counts.Length / 2]) / 2.0;
        return labels.Where(l => l.Value < median / 2).Select(l => l.Key).ToFrozenSet(StringComparer.Ordinal);
    }

    private ExpertDefinition[] Draw(ExpertDefinition[] pool, int take)
    {
        for (var i = 0; i < take; i++)
        {
            var j = i + (int)(_selection() * (pool.Length - i));
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }

        return pool[..take];
    }
}

/// <summary>The experts picked to explore a request, and each one's probability of having been picked.</summary>
public sealed record ExplorationSelection(IReadOnlyList<ExpertDefinition> Experts, IReadOnlyDictionary<string, double> Probabilities);
