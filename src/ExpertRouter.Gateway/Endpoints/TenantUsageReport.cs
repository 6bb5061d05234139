using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Core.Tenants;

namespace ExpertRouter.Gateway.Endpoints;

/// <summary>
/// The usage document of one tenant: spend and what is left of the budget for the current period first, then the
/// ledger by expert and UTC day. Cache hits cost nothing; <see cref="TotalSavedUsd"/> and <see cref="CacheHits"/>
/// sum what they saved over the ledger's days. Served to the tenant at <c>/v1/usage</c> and to operators under <c>/admin</c>.
/// </summary>
public sealed record TenantUsageReport(
    double TotalCostUsd,
    double? BudgetRemainingUsd,
    string Tenant,
    string Period,
    DateOnly PeriodStart,
    TenantBudgetView Budget,
    bool Degraded,
    IReadOnlyList<TenantUsageLine> Data,
    double TotalSavedUsd,
    long CacheHits)
{
    public string Object => "usage";

    public static async Task<TenantUsageReport> BuildAsync(
        TenantPolicy policy, ITenantLedger ledger, DateTimeOffset now, DateOnly? from, DateOnly? to, CancellationToken cancellationToken)
    {
        var budget = policy.Budget;
        var spend = await ledger.GetSpendAsync(policy.Id, cancellationToken);
        var today = BudgetPeriod.Day(now);
        var entries = await ledger.GetLedgerAsync(policy.Id, from ?? BudgetPeriod.MonthStart(now), to ?? today, cancellationToken);
        var daily = budget is { DailyUsd: not null, MonthlyUsd: null };
        return new TenantUsageReport(
            daily ? spend.SpentTodayUsd : spend.SpentThisMonthUsd,
            spend.RemainingUsd(budget.DailyUsd, budget.MonthlyUsd),
            policy.Id,
            daily ? "day" : "month",
            daily ? today : BudgetPeriod.MonthStart(now),
            new TenantBudgetView(budget.DailyUsd, budget.MonthlyUsd, budget.Mode.ToString().ToLowerInvariant(), spend.SpentTodayUsd, spend.SpentThisMonthUsd, spend.ReservedUsd),
            ledger is ResilientTenantAccounting { IsDegraded: true },
            [.. entries.Select(e => new TenantUsageLine(e.Day, e.Expert, e.Requests, e.PromptTokens, e.CompletionTokens, e.TotalTokens, e.CostUsd, e.CacheHits, e.SavedUsd))],
            UsdNanos.ToUsd(entries.Sum(e => e.SavedNanos)),
            entries.Sum(e => e.CacheHits));
    }

    public static bool TryReadRange(IQueryCollection query, out DateOnly? from, out DateOnly? to)
    {
        from = to = null;
        if (query["start_date"] is { Count: > 0 } start)
        {
            if (!DateOnly.TryParseExact(start.ToString(), "yyyy-MM-dd", out var day))
            {
                return false;
            }

            from = day;
        }

        if (query["end_date"] is { Count: > 0 } end)
        {
            if (!DateOnly.TryParseExact(end.ToString(), "yyyy-MM-dd", out var day))
            {
                return false;
            }

            to = day;
        }

        return from is null || to is null || (from <= to && to.Value.DayNumber - from.Value.DayNumber <= 366);
    }
}

public sealed record TenantBudgetView(double? DailyUsd, double? MonthlyUsd, string Mode, double SpentTodayUsd, double SpentThisMonthUsd, double ReservedUsd);

public sealed record TenantUsageLine(
    DateOnly Date, string Expert, long Requests, long PromptTokens, long CompletionTokens, long TotalTokens, double CostUsd, long CacheHits, double SavedUsd);
