namespace ExpertRouter.Core.Tenants;

/// <summary>What one tenant may do and how its requests are routed. Immutable; a reload swaps the whole set.</summary>
public sealed record TenantPolicy
{
    public string Id { get; init; } = "";

    /// <summary>Lower-case hex SHA-256 of each API key; plaintext keys are never stored.</summary>
    public IReadOnlyList<string> ApiKeySha256 { get; init; } = [];

    /// <summary>When non-empty, only these experts may serve the tenant.</summary>
    public IReadOnlyList<string> AllowedExperts { get; init; } = [];

    public IReadOnlyList<string> DeniedExperts { get; init; } = [];

    /// <summary>Router used for <c>auto</c>.</summary>
    public string Router { get; init; } = "cheapest";

    /// <summary>Quality points traded per USD per 1,000 requests (see <c>CostAwareRanking</c>).</summary>
    public double Lambda { get; init; }

    public bool Allows(string expertId) =>
        (AllowedExperts.Count == 0 || AllowedExperts.Contains(expertId, StringComparer.Ordinal))
        && !DeniedExperts.Contains(expertId, StringComparer.Ordinal);
}
