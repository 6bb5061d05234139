using ExpertRouter.Core.Tenants;

namespace ExpertRouter.Gateway.Aggregation;

/// <summary>
/// A tenant's default ensemble for <c>auto</c>, from its policy's <c>aggregation</c> section: <c>strategy</c> names a
/// configured ensemble or a mode (<c>best-of</c>/<c>judge</c>, <c>fuse</c>/<c>moa</c>, <c>vote</c>, <c>fan-out</c>,
/// <c>cascade</c>), and <c>maxExperts</c> is its size. A strategy that names neither leaves <c>auto</c> single-routed.
/// </summary>
public static class TenantAggregation
{
    public const string EnsembleName = "tenant-default";

    public static EnsembleOptions? Resolve(AggregationPolicy policy, EnsembleRegistry ensembles)
    {
        if (!policy.Enabled)
        {
            return null;
        }

        if (ensembles.TryGet(policy.Strategy, out var named))
        {
            return named with { Size = policy.MaxExperts };
        }

        EnsembleMode? mode = policy.Strategy.ToLowerInvariant() switch
        {
            "best-of" or "judge" => EnsembleMode.Judge,
            "fuse" or "moa" => EnsembleMode.Moa,
            "vote" => EnsembleMode.Vote,
            "fan-out" or "fanout" => EnsembleMode.FanOut,
            "cascade" => EnsembleMode.Cascade,
            _ => null,
        };
        return mode is { } m ? new EnsembleOptions { Mode = m, Size = policy.MaxExperts } : null;
    }
}
