using System.Collections.Frozen;
using ExpertRouter.Core.Ensembles;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Configuration;

namespace ExpertRouter.Gateway.Routing;

/// <summary>
/// The ensembles a plan may hand a request to: the configured ones by name (<c>ensemble/&lt;name&gt;</c>), and a
/// tenant's default for <c>auto</c> from its policy's <c>ensemble</c> section, where <c>strategy</c> names a
/// configured ensemble or a mode (<c>best-of</c>/<c>judge</c>, <c>fuse</c>/<c>moa</c>, <c>vote</c>, <c>fan-out</c>,
/// <c>cascade</c>) and <c>maxExperts</c> is its size. A strategy that names neither leaves <c>auto</c> single-routed.
/// </summary>
public sealed class EnsembleCatalog(IReadOnlyDictionary<string, EnsembleOptions> configured)
{
    public const string TenantDefaultName = "tenant-default";

    private readonly FrozenDictionary<string, EnsembleOptions> _byName = configured.ToFrozenDictionary(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Names => _byName.Keys;

    public bool TryGet(string name, out EnsembleOptions options) => _byName.TryGetValue(name, out options!);

    /// <summary>The tenant's default ensemble for <c>auto</c>, or null when its policy asks for none.</summary>
    public PlannedEnsemble? TenantDefault(EnsemblePolicy policy)
    {
        if (!policy.Enabled)
        {
            return null;
        }

        if (TryGet(policy.Strategy, out var named))
        {
            return new PlannedEnsemble(TenantDefaultName, named with { Size = policy.MaxExperts });
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
        return mode is { } m ? new PlannedEnsemble(TenantDefaultName, new EnsembleOptions { Mode = m, Size = policy.MaxExperts }) : null;
    }
}
