namespace ExpertRouter.Core.Tenants;

/// <summary>A calibrated cost knob: exactly one of its members is set.</summary>
public sealed record CostTarget
{
    /// <summary>Spend at most this fraction of what always using the best expert would cost.</summary>
    public double? MaxCostFractionOfBest { get; init; }

    /// <summary>Average cost the router aims for, in USD per 1,000 requests.</summary>
    public double? AverageCostPer1kRequestsUsd { get; init; }
}

public enum BudgetMode
{
    /// <summary>A request that could overrun the budget is refused with <c>insufficient_quota</c>.</summary>
    Hard,

    /// <summary>Once the budget is spent, requests are served by the downgrade experts instead of refused.</summary>
    Soft,
}

public sealed record BudgetPolicy
{
    public double? DailyUsd { get; init; }

    public double? MonthlyUsd { get; init; }

    public BudgetMode Mode { get; init; } = BudgetMode.Hard;

    /// <summary>Soft mode only: the experts allowed once the budget is spent; empty means the cheapest allowed one.</summary>
    public IReadOnlyList<string> DowngradeExperts { get; init; } = [];

    public bool HasLimit => DailyUsd is not null || MonthlyUsd is not null;
}

public sealed record RateLimitPolicy
{
    public int? RequestsPerMinute { get; init; }

    public int? TokensPerMinute { get; init; }
}

public sealed record CachePolicy
{
    public bool Enabled { get; init; } = true;

    public int TtlSeconds { get; init; } = 3600;

    /// <summary>Cosine similarity above which a semantically close prompt is a hit; null means exact matches only.</summary>
    public double? SemanticSimilarity { get; init; }
}

public sealed record EnsemblePolicy
{
    public bool Enabled { get; init; }

    /// <summary>How many experts answer one request when the ensemble is on.</summary>
    public int MaxExperts { get; init; } = 3;

    /// <summary>How the answers are combined (for example <c>best-of</c> or <c>fuse</c>).</summary>
    public string Strategy { get; init; } = "best-of";
}
