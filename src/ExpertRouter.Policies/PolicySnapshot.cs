using System.Collections.Frozen;
using ExpertRouter.Core.Tenants;

namespace ExpertRouter.Policies;

/// <summary>
/// One file: its content's policy when that is valid on its own (<see cref="Current"/>), the problems it has on its
/// own, the policy it holds now (<see cref="Accepted"/>: the current one, its last good one, or none after a clash)
/// and why its content is refused.
/// </summary>
internal sealed record PolicyFileState(
    string ContentHash, ParsedPolicy? Current, IReadOnlyList<PolicyError> OwnErrors, ParsedPolicy? Accepted, PolicyRejection? Rejection);

/// <summary>The immutable lookup tables one reload publishes; readers never take a lock.</summary>
internal sealed record PolicySnapshot(
    FrozenDictionary<string, TenantPolicy> ByKeyHash,
    FrozenDictionary<string, TenantPolicy> ById,
    IReadOnlyList<PolicyRejection> Rejections)
{
    public static readonly PolicySnapshot Empty = new(FrozenDictionary<string, TenantPolicy>.Empty, FrozenDictionary<string, TenantPolicy>.Empty, []);

    public static PolicySnapshot From(IEnumerable<PolicyFileState> files)
    {
        var states = files.ToList();
        var accepted = states.Select(s => s.Accepted?.Policy).OfType<TenantPolicy>().ToList();
        var byKey = accepted.SelectMany(p => p.ApiKeySha256.Select(h => KeyValuePair.Create(h, p))).ToFrozenDictionary(StringComparer.Ordinal);
        var byId = accepted.ToFrozenDictionary(p => p.Id, StringComparer.Ordinal);
        var rejections = states.Select(s => s.Rejection).OfType<PolicyRejection>().OrderBy(r => r.File, StringComparer.Ordinal).ToList();
        return new PolicySnapshot(byKey, byId, rejections);
    }
}
