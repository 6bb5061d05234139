using ExpertRouter.Core.Tenants;

namespace ExpertRouter.Gateway.Accounting;

/// <summary>One request asking to be let through, with the limits of its tenant's current policy.</summary>
public sealed record AdmissionRequest
{
    public required string TenantId { get; init; }

    /// <summary>The request's worst-case cost with the chosen expert; this much is reserved.</summary>
    public required double MaxCostUsd { get; init; }

    /// <summary>Prompt tokens plus the most output tokens the request may produce, charged to tokens/min.</summary>
    public int EstimatedTokens { get; init; }

    public double? DailyBudgetUsd { get; init; }

    public double? MonthlyBudgetUsd { get; init; }

    /// <summary>False for soft budgets: spend is still recorded, but the budget never refuses.</summary>
    public bool EnforceBudget { get; init; } = true;

    public int? RequestsPerMinute { get; init; }

    public int? TokensPerMinute { get; init; }

    /// <param name="enforceBudget">
    /// Whether the budget may refuse, when the caller decides it (else: a hard budget does); an argument rather than a
    /// copy made with <c>with</c> on every request.
    /// </param>
    public static AdmissionRequest For(TenantPolicy policy, double maxCostUsd, int estimatedTokens, bool? enforceBudget = null) => new()
    {
        TenantId = policy.Id,
        MaxCostUsd = maxCostUsd,
        EstimatedTokens = estimatedTokens,
        DailyBudgetUsd = policy.Budget.DailyUsd,
        MonthlyBudgetUsd = policy.Budget.MonthlyUsd,
        EnforceBudget = enforceBudget ?? policy.Budget.Mode == BudgetMode.Hard,
        RequestsPerMinute = policy.RateLimits.RequestsPerMinute,
        TokensPerMinute = policy.RateLimits.TokensPerMinute,
    };
}
