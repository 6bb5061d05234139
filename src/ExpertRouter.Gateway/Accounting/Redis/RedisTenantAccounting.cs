using System.Globalization;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Accounting.Redis;

/// <summary>
/// Accounting shared by every replica through one Redis (or any RESP server with Lua, such as Garnet). Each
/// admission, settlement and release is one Lua script, so concurrent replicas can never both spend the last of
/// a budget. Throws <see cref="RedisConnectionException"/> or <see cref="RedisTimeoutException"/> when the server is
/// unreachable; <see cref="ResilientTenantAccounting"/> turns that into degraded in-process service.
/// </summary>
public sealed class RedisTenantAccounting(IConnectionMultiplexer redis, TimeProvider time, AccountingOptions? options = null) : ITenantAccounting
{
    private static readonly TimeSpan WindowTtl = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan DayTtl = TimeSpan.FromDays(3);
    private static readonly TimeSpan MonthTtl = TimeSpan.FromDays(62);
    private readonly AccountingOptions _options = options ?? new AccountingOptions();

    public bool IsConnected => redis.IsConnected;

    public async ValueTask<Admission> TryAdmitAsync(AdmissionRequest request, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var keys = new RedisAccountingKeys(request.TenantId);
        var window = BudgetPeriod.RateWindow(now);
        var id = Guid.NewGuid().ToString("N");
        var amount = UsdNanos.FromUsdCeiling(request.MaxCostUsd);
        var result = (RedisResult[])(await Database.ScriptEvaluateAsync(
            RedisAccountingScripts.Admit,
            [keys.Reserved, keys.Reservations, keys.ReservationExpiry, keys.SpentDay(now), keys.SpentMonth(now), keys.WindowRequests(window), keys.WindowTokens(window)],
            [
                now.ToUnixTimeMilliseconds(), id, amount,
                UsdNanos.FromBudget(request.DailyBudgetUsd) ?? -1, UsdNanos.FromBudget(request.MonthlyBudgetUsd) ?? -1,
                request.EnforceBudget ? 1 : 0, request.RequestsPerMinute ?? -1, request.TokensPerMinute ?? -1,
                request.EstimatedTokens, (long)_options.ReservationTimeout.TotalMilliseconds, (long)WindowTtl.TotalMilliseconds,
            ]).ConfigureAwait(false))!;
        var spend = new TenantSpend((long)result[1], (long)result[2], (long)result[3]);
        return (int)result[0] switch
        {
            0 => new Admission(AdmissionOutcome.Admitted, new Reservation(id, request.TenantId, amount, window, request.EstimatedTokens, ReservationOrigin.Redis), spend),
            1 => new Admission(AdmissionOutcome.BudgetExhausted, null, spend),
            2 => AdmissionRules.Limited(spend, "requests", now),
            _ => AdmissionRules.Limited(spend, "tokens", now),
        };
    }

    public async ValueTask SettleAsync(Reservation reservation, SettledUsage usage, CancellationToken cancellationToken = default)
    {
        if (reservation.TryComplete())
        {
            await SettleAtAsync(reservation.TenantId, reservation, usage, time.GetUtcNow()).ConfigureAwait(false);
        }
    }

    public async ValueTask ReleaseAsync(Reservation reservation, CancellationToken cancellationToken = default)
    {
        if (reservation.TryComplete())
        {
            await ReleaseCoreAsync(reservation).ConfigureAwait(false);
        }
    }

    public async ValueTask RecordCacheHitAsync(string tenantId, CacheSaving saving, CancellationToken cancellationToken = default) =>
        await RecordCacheHitAtAsync(tenantId, saving, time.GetUtcNow()).ConfigureAwait(false);

    /// <summary>Counts a cache hit in the day's ledger hash; one script, so replicas never lose an increment or the TTL.</summary>
    internal async Task RecordCacheHitAtAsync(string tenantId, CacheSaving saving, DateTimeOffset at)
    {
        var keys = new RedisAccountingKeys(tenantId);
        await Database.ScriptEvaluateAsync(
            RedisAccountingScripts.RecordCacheHit,
            [keys.Ledger(BudgetPeriod.Day(at))],
            [saving.Expert, saving.SavedNanos, (long)_options.LedgerRetention.TotalMilliseconds]).ConfigureAwait(false);
    }

    public async ValueTask<TenantSpend> GetSpendAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var keys = new RedisAccountingKeys(tenantId);
        var values = await Database.StringGetAsync([keys.SpentDay(now), keys.SpentMonth(now), keys.Reserved]).ConfigureAwait(false);
        return new TenantSpend(AsLong(values[0]), AsLong(values[1]), AsLong(values[2]));
    }

    public async ValueTask<IReadOnlyList<LedgerEntry>> GetLedgerAsync(string tenantId, DateOnly from, DateOnly to, CancellationToken cancellationToken = default)
    {
        var keys = new RedisAccountingKeys(tenantId);
        var days = new List<DateOnly>();
        for (var day = from; day <= to && days.Count < 400; day = day.AddDays(1))
        {
            days.Add(day);
        }

        var reads = days.Select(day => Database.HashGetAllAsync(keys.Ledger(day))).ToArray();
        await Task.WhenAll(reads).ConfigureAwait(false);
        var entries = new List<LedgerEntry>();
        for (var i = 0; i < days.Count; i++)
        {
            entries.AddRange(LedgerFields.Parse(days[i], reads[i].Result));
        }

        return entries;
    }

    /// <summary>Settles at a given time: now, or when the usage happened for entries replayed after an outage.</summary>
    internal async Task<bool> SettleAtAsync(string tenantId, Reservation? reservation, SettledUsage usage, DateTimeOffset at)
    {
        var keys = new RedisAccountingKeys(tenantId);
        var window = reservation?.RateWindow ?? BudgetPeriod.RateWindow(at);
        var held = await Database.ScriptEvaluateAsync(
            RedisAccountingScripts.Settle,
            [keys.Reserved, keys.Reservations, keys.ReservationExpiry, keys.SpentDay(at), keys.SpentMonth(at), keys.Ledger(BudgetPeriod.Day(at)), keys.WindowTokens(window)],
            [
                reservation?.Id ?? "", usage.CostNanos, usage.Expert, usage.PromptTokens, usage.CompletionTokens,
                reservation?.EstimatedTokens ?? 0, (long)DayTtl.TotalMilliseconds, (long)MonthTtl.TotalMilliseconds,
                (long)_options.LedgerRetention.TotalMilliseconds,
            ]).ConfigureAwait(false);
        return (int)held == 1;
    }

    internal async Task ReleaseCoreAsync(Reservation reservation)
    {
        var keys = new RedisAccountingKeys(reservation.TenantId);
        await Database.ScriptEvaluateAsync(
            RedisAccountingScripts.Release,
            [keys.Reserved, keys.Reservations, keys.ReservationExpiry, keys.WindowTokens(reservation.RateWindow)],
            [reservation.Id, reservation.EstimatedTokens]).ConfigureAwait(false);
    }

    private IDatabase Database => redis.GetDatabase();

    private static long AsLong(RedisValue value) =>
        value.IsNullOrEmpty ? 0 : long.Parse((string)value!, NumberStyles.Integer, CultureInfo.InvariantCulture);
}
