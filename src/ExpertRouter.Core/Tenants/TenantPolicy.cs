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

    /// <summary>
    /// A calibrated alternative to <see cref="Lambda"/>: the router's threshold is chosen offline so the tenant's
    /// traffic meets this target. Null when the tenant sets λ directly.
    /// </summary>
    public CostTarget? CostTarget { get; init; }

    /// <summary>Requests whose worst-case cost exceeds this are served by a cheaper expert or refused.</summary>
    public double? MaxCostPerRequestUsd { get; init; }

    public BudgetPolicy Budget { get; init; } = new();

    public RateLimitPolicy RateLimits { get; init; } = new();

    public CachePolicy Cache { get; init; } = new();

    public EnsemblePolicy Ensemble { get; init; } = new();

    /// <summary>Experts tried in order when the chosen one fails before its first byte.</summary>
    public IReadOnlyList<string> FallbackChain { get; init; } = [];

    /// <summary>
    /// A fallback may cost at most this many times the first choice's expected cost; dearer experts are never tried
    /// when the first choice fails. Null: no bound.
    /// </summary>
    public double? MaxFallbackCostRatio { get; init; }

    /// <summary>
    /// The first-token latency the tenant wants, in milliseconds: experts whose recent p90 time to the first byte
    /// misses it are passed over while an expert that meets it remains. Null: no target.
    /// </summary>
    public int? MaxLatencyMs { get; init; }

    /// <summary>A router that predicts on this tenant's traffic after each response, logged beside the serving one without deciding.</summary>
    public string? ShadowRouter { get; init; }

    /// <summary>What the request log keeps of this tenant's prompts.</summary>
    public LoggingPolicy Logging { get; init; } = new();

    /// <summary>Background exploration of other candidates for a sample of requests; off by default.</summary>
    public ExplorationPolicy Exploration { get; init; } = new();

    /// <summary>Free-form labels for reporting (team, cost centre...); listed by <c>/admin/tenants</c>.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    public bool Allows(string expertId) =>
        (AllowedExperts.Count == 0 || AllowedExperts.Contains(expertId, StringComparer.Ordinal))
        && !DeniedExperts.Contains(expertId, StringComparer.Ordinal);
}
