using ExpertRouter.Gateway.Configuration;

namespace ExpertRouter.Gateway.Accounting;

/// <summary>
/// What one replica may grant of a tenant's hard budget while Redis is unusable: at most
/// <see cref="AccountingOptions.OutageAllowanceFraction"/> of the budget on top of the spend it last read there (and
/// never past the budget), or <see cref="AccountingOptions.UnknownSpendAllowanceFraction"/> of it when it never read
/// the tenant's spend, none by default. So across an outage a budget B is exceeded by at most
/// (replicas that had read the spend) × fraction × B, however many replicas restart or start meanwhile.
/// </summary>
internal static class OutageAllowance
{
    /// <summary>The request with the budgets this replica may enforce alone; null when it may grant nothing.</summary>
    public static AdmissionRequest? Limit(AdmissionRequest request, KnownSpend? known, AccountingOptions options, DateTimeOffset now)
    {
        if (!request.EnforceBudget || (request.DailyBudgetUsd is null && request.MonthlyBudgetUsd is null))
        {
            return request;
        }

        var fraction = known is null ? options.UnknownSpendAllowanceFraction : options.OutageAllowanceFraction;
        if (fraction <= 0)
        {
            return null;
        }

        // Spend read on an earlier day or month says nothing of the current one; its local counters start at zero too.
        var day = known is { } k && BudgetPeriod.Day(k.At) == BudgetPeriod.Day(now) ? k.Spend.SpentTodayNanos : 0;
        var month = known is { } m && BudgetPeriod.MonthStart(m.At) == BudgetPeriod.MonthStart(now) ? m.Spend.SpentThisMonthNanos : 0;
        return request with
        {
            DailyBudgetUsd = Cap(request.DailyBudgetUsd, day, fraction),
            MonthlyBudgetUsd = Cap(request.MonthlyBudgetUsd, month, fraction),
        };
    }

    private static double? Cap(double? budgetUsd, long knownNanos, double fraction) =>
        budgetUsd is { } budget ? Math.Min(budget, UsdNanos.ToUsd(knownNanos) + (fraction * budget)) : null;
}
