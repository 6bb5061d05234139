using System.Collections.Concurrent;
using ExpertRouter.Core.Identifiers;
using ExpertRouter.Gateway.Configuration;

namespace ExpertRouter.Gateway.Accounting.InProcess;

/// <summary>
/// Accounting for a single replica, and the fallback while Redis is unreachable. Same rules as the Redis store:
/// fixed UTC-minute rate windows, reservations that expire when a caller never settles them, nano-USD counters.
/// </summary>
public sealed class InProcessTenantAccounting(TimeProvider time, AccountingOptions? options = null) : ITenantAccounting, ITenantLedger
{
    private readonly ConcurrentDictionary<string, TenantCounters> _tenants = new(StringComparer.Ordinal);
    private readonly AccountingOptions _options = options ?? new AccountingOptions();

    public ValueTask<Admission> TryAdmitAsync(AdmissionRequest request, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var counters = Counters(request.TenantId);
        var amount = UsdNanos.FromUsdCeiling(request.MaxCostUsd);
        lock (counters.Sync)
        {
            counters.SweepExpired(now);
            counters.EnterWindow(BudgetPeriod.RateWindow(now));
            var spend = Spend(counters, now);
            if (AdmissionRules.RateLimit(request, counters.WindowRequests, counters.WindowTokens) is { } limitedBy)
            {
                return ValueTask.FromResult(AdmissionRules.Limited(spend, limitedBy, now));
            }

            if (request.EnforceBudget && AdmissionRules.ExceedsBudget(request, spend, amount))
            {
                return ValueTask.FromResult(new Admission(AdmissionOutcome.BudgetExhausted, null, spend));
            }

            var id = RandomIds.NewGuid().ToString("N");
            counters.Reservations[id] = (amount, now + _options.ReservationTimeout);
            counters.ReservedNanos += amount;
            counters.WindowRequests++;
            counters.WindowTokens += request.EstimatedTokens;
            var reservation = new Reservation(id, request.TenantId, amount, counters.RateWindow, request.EstimatedTokens, ReservationOrigin.InProcess);
            return ValueTask.FromResult(new Admission(AdmissionOutcome.Admitted, reservation, spend with { ReservedNanos = counters.ReservedNanos }));
        }
    }

    public ValueTask SettleAsync(Reservation reservation, SettledUsage usage, CancellationToken cancellationToken = default)
    {
        if (reservation.TryComplete())
        {
            Settle(reservation, usage, time.GetUtcNow());
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask ReleaseAsync(Reservation reservation, CancellationToken cancellationToken = default)
    {
        if (reservation.TryComplete())
        {
            Release(reservation);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask RecordCacheHitAsync(string tenantId, CacheSaving saving, CancellationToken cancellationToken = default)
    {
        RecordCacheHit(tenantId, saving, time.GetUtcNow());
        return ValueTask.CompletedTask;
    }

    internal void RecordCacheHit(string tenantId, CacheSaving saving, DateTimeOffset at)
    {
        var counters = Counters(tenantId);
        lock (counters.Sync)
        {
            var line = counters.LedgerLine(BudgetPeriod.Day(at), saving.Expert);
            line.CacheHits++;
            line.SavedNanos += saving.SavedNanos;
        }
    }

    public ValueTask<TenantSpend> GetSpendAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        var counters = Counters(tenantId);
        var now = time.GetUtcNow();
        lock (counters.Sync)
        {
            counters.SweepExpired(now);
            return ValueTask.FromResult(Spend(counters, now));
        }
    }

    public ValueTask<IReadOnlyList<LedgerEntry>> GetLedgerAsync(string tenantId, DateOnly from, DateOnly to, CancellationToken cancellationToken = default)
    {
        var counters = Counters(tenantId);
        lock (counters.Sync)
        {
            IReadOnlyList<LedgerEntry> entries = [.. counters.Ledger
                .Where(e => e.Key.Day >= from && e.Key.Day <= to)
                .Select(e => new LedgerEntry(e.Key.Day, e.Key.Expert, e.Value.Requests, e.Value.PromptTokens, e.Value.CompletionTokens, e.Value.CostNanos, e.Value.CacheHits, e.Value.SavedNanos))
                .OrderBy(e => e.Day).ThenBy(e => e.Expert, StringComparer.Ordinal)];
            return ValueTask.FromResult(entries);
        }
    }

    /// <summary>Settles without the once-only check; <paramref name="reservation"/> may be unknown here (spend only).</summary>
    internal void Settle(Reservation? reservation, SettledUsage usage, DateTimeOffset at, string? tenantId = null)
    {
        var counters = Counters(reservation?.TenantId ?? tenantId!);
        var cost = usage.CostNanos;
        lock (counters.Sync)
        {
            if (reservation is not null && counters.Reservations.Remove(reservation.Id, out var held))
            {
                counters.ReservedNanos -= held.AmountNanos;
                if (counters.RateWindow == reservation.RateWindow)
                {
                    counters.WindowTokens += usage.PromptTokens + usage.CompletionTokens - reservation.EstimatedTokens;
                }
            }

            var keys = PeriodKeys.For(at);
            counters.AddSpend(keys.Day, cost);
            counters.AddSpend(keys.Month, cost);
            var line = counters.LedgerLine(BudgetPeriod.Day(at), usage.Expert);
            line.Requests++;
            line.PromptTokens += usage.PromptTokens;
            line.CompletionTokens += usage.CompletionTokens;
            line.CostNanos += cost;
        }
    }

    internal void Release(Reservation reservation)
    {
        var counters = Counters(reservation.TenantId);
        lock (counters.Sync)
        {
            if (counters.Reservations.Remove(reservation.Id, out var held))
            {
                counters.ReservedNanos -= held.AmountNanos;
                if (counters.RateWindow == reservation.RateWindow)
                {
                    counters.WindowTokens -= reservation.EstimatedTokens;
                }
            }
        }
    }

    /// <summary>Starts a tenant's current periods from spend known elsewhere (the last figures read from Redis).</summary>
    internal void SeedSpend(string tenantId, DateTimeOffset at, TenantSpend known)
    {
        var counters = Counters(tenantId);
        lock (counters.Sync)
        {
            var keys = PeriodKeys.For(at);
            counters.SpentByPeriod[keys.Day] = known.SpentTodayNanos;
            counters.SpentByPeriod[keys.Month] = known.SpentThisMonthNanos;
        }
    }

    private static TenantSpend Spend(TenantCounters counters, DateTimeOffset now)
    {
        var keys = PeriodKeys.For(now);
        return new(counters.Spent(keys.Day), counters.Spent(keys.Month), counters.ReservedNanos);
    }

    private TenantCounters Counters(string tenantId) => _tenants.GetOrAdd(tenantId, static _ => new TenantCounters());

    /// <summary>
    /// The counter keys of one UTC day and its month ("d:2026-11-23", "m:2026-11"). Every admission and settlement
    /// reads them, so they are built once a day and shared instead of four strings per request.
    /// </summary>
    private sealed record PeriodKeys(DateOnly Date, string Day, string Month)
    {
        private static PeriodKeys? s_current;

        public static PeriodKeys For(DateTimeOffset at)
        {
            var date = BudgetPeriod.Day(at);
            var keys = Volatile.Read(ref s_current);
            if (keys is null || keys.Date != date)
            {
                // A race only builds the same keys twice; clocks that move back (tests) just rebuild them.
                keys = new PeriodKeys(date, "d:" + BudgetPeriod.DayKey(at), "m:" + BudgetPeriod.MonthKey(at));
                Volatile.Write(ref s_current, keys);
            }

            return keys;
        }
    }
}
