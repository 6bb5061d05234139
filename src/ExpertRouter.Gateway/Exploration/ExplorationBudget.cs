using ExpertRouter.Gateway.Accounting;

namespace ExpertRouter.Gateway.Exploration;

/// <summary>
/// Each tenant's exploration spend per UTC day, against its <c>exploration.dailyBudgetUsd</c>: a sampled request
/// reserves its worst case before any call, atomically, so concurrent explorations stop at the budget instead of
/// overrunning it; what the calls really cost is settled afterwards. Held in process (per replica); the tenant's own
/// budget, in Redis when configured, still bounds the exploration calls with everything else.
/// </summary>
public sealed class ExplorationBudget(TimeProvider time)
{
    private readonly Dictionary<string, Day> _days = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Reserves <paramref name="amountUsd"/> when it fits under <paramref name="dailyLimitUsd"/> today; null otherwise.</summary>
    public ExplorationHold? TryReserve(string tenant, double dailyLimitUsd, double amountUsd)
    {
        var amount = UsdNanos.FromUsdRounded(amountUsd);
        var limit = UsdNanos.FromUsdRounded(dailyLimitUsd);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        lock (_gate)
        {
            var day = Today(tenant, today);
            if (day.Spent + day.Reserved + amount > limit)
            {
                return null;
            }

            _days[tenant] = day with { Reserved = day.Reserved + amount };
            return new ExplorationHold(tenant, today, amount);
        }
    }

    /// <summary>Turns a hold into what was really spent; the rest of the reservation returns to the budget.</summary>
    public void Settle(ExplorationHold hold, double spentUsd)
    {
        lock (_gate)
        {
            if (_days.TryGetValue(hold.Tenant, out var day) && day.Date == hold.Day)
            {
                _days[hold.Tenant] = day with { Reserved = day.Reserved - hold.AmountNanos, Spent = day.Spent + UsdNanos.FromUsdRounded(spentUsd) };
            }
        }
    }

    /// <summary>Spent (settled) today by <paramref name="tenant"/>'s exploration, in USD.</summary>
    public double SpentTodayUsd(string tenant)
    {
        lock (_gate)
        {
            return UsdNanos.ToUsd(Today(tenant, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime)).Spent);
        }
    }

    private Day Today(string tenant, DateOnly today) =>
        _days.TryGetValue(tenant, out var day) && day.Date == today ? day : new Day(today, 0, 0);

    private readonly record struct Day(DateOnly Date, long Spent, long Reserved);
}

/// <summary>Exploration money held for one sampled request.</summary>
public sealed record ExplorationHold(string Tenant, DateOnly Day, long AmountNanos);
