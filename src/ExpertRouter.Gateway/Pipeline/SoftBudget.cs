using ExpertRouter.Core.Tenants;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>What a spent soft budget leaves: the policy's downgrade experts, or else the cheapest candidate.</summary>
internal static class SoftBudget
{
    public static List<CostBound> Downgrade(List<CostBound> bounds, BudgetPolicy budget)
    {
        if (budget.DowngradeExperts.Count > 0)
        {
            return [.. bounds.Where(b => budget.DowngradeExperts.Contains(b.Score.Expert.Id, StringComparer.Ordinal))];
        }

        return [bounds.MinBy(b => b.MaxCostUsd)];
    }
}
