using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Invocation;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Routing;

namespace ExpertRouter.Gateway.Exploration;

/// <summary>
/// Which requests are explored, and which experts explore them: a routed single-expert chat request without tools,
/// whose tenant explores, is sampled with the tenant's rate; its explored experts are drawn uniformly from the plan's
/// other candidates. Sampling and selection draw from two random sources (seeded with
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
    public IReadOnlyList<ExpertDefinition> Select(IReadOnlyList<ExpertDefinition> eligible, int maxExperts)
    {
        var pool = eligible.ToArray();
        var take = Math.Min(maxExperts, pool.Length);
        for (var i = 0; i < take; i++)
        {
            var j = i + (int)(_selection() * (pool.Length - i));
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }

        return pool[..take];
    }
}
