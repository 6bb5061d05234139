using System.Collections.Concurrent;
using System.Globalization;
using ExpertRouter.Core.Identifiers;
using ExpertRouter.Core.Telemetry;
using ExpertRouter.Gateway.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Accounting.Redis;

/// <summary>
/// Accounting shared by every replica through one Redis (or any RESP server with Lua, such as Garnet). Each
/// admission, settlement and release is one Lua script, so concurrent replicas can never both spend the last of
/// a budget. Settlements are idempotent by id, and a Redis that lost a tenant's data is noticed by its epoch key
/// and given back this replica's recorded share (<see cref="ReplicaLedger"/>). Throws
/// <see cref="RedisConnectionException"/> or <see cref="RedisTimeoutException"/> when the server is unreachable;
/// <see cref="ResilientTenantAccounting"/> turns that into degraded in-process service.
/// </summary>
public sealed partial class RedisTenantAccounting(
    IConnectionMultiplexer redis, TimeProvider time, AccountingOptions? options = null, ILogger<RedisTenantAccounting>? logger = null) : ITenantAccounting, ITenantLedger
{
    private static readonly TimeSpan WindowTtl = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan DayTtl = TimeSpan.FromDays(3);
    private static readonly TimeSpan MonthTtl = TimeSpan.FromDays(62);
    private static readonly TimeSpan MarkerTtl = TimeSpan.FromDays(2);
    private readonly AccountingOptions _options = options ?? new AccountingOptions();
    private readonly ILogger _logger = logger ?? NullLogger<RedisTenantAccounting>.Instance;
    private readonly ConcurrentDictionary<string, string> _epochs = new(StringComparer.Ordinal);
    private readonly ReplicaLedger _recorded = new();
    private readonly string _replicaId = Guid.NewGuid().ToString("N");

    public bool IsConnected => redis.IsConnected;

    public ValueTask<Admission> TryAdmitAsync(AdmissionRequest request, CancellationToken cancellationToken = default) =>
        new(TryAdmitAsync(request, RandomIds.NewGuid().ToString("N")));

    /// <summary>Admits with a reservation id chosen by the caller, who can then release it even when the call timed out.</summary>
    internal async Task<Admission> TryAdmitAsync(AdmissionRequest request, string id)
    {
        var keys = new RedisAccountingKeys(request.TenantId);
        var amount = UsdNanos.FromUsdCeiling(request.MaxCostUsd);
        for (var attempt = 0; ; attempt++)
        {
            var now = time.GetUtcNow();
            var window = BudgetPeriod.RateWindow(now);
            var result = (RedisResult[])(await Database.ScriptEvaluateAsync(
                RedisAccountingScripts.Admit,
                [keys.Reserved, keys.Reservations, keys.ReservationExpiry, keys.SpentDay(now), keys.SpentMonth(now), keys.WindowRequests(window), keys.WindowTokens(window),
                 keys.Epoch, keys.Swept, keys.Gone(id)],
                [
                    now.ToUnixTimeMilliseconds(), id, amount,
                    UsdNanos.FromBudget(request.DailyBudgetUsd) ?? -1, UsdNanos.FromBudget(request.MonthlyBudgetUsd) ?? -1,
                    request.EnforceBudget ? 1 : 0, request.RequestsPerMinute ?? -1, request.TokensPerMinute ?? -1,
                    request.EstimatedTokens, (long)_options.ReservationTimeout.TotalMilliseconds, (long)WindowTtl.TotalMilliseconds,
                    ExpectedEpoch(request.TenantId), (long)MarkerTtl.TotalMilliseconds, NewEpoch(),
                ]).ConfigureAwait(false))!;
            var outcome = (int)result[0];
            if (outcome == RedisAccountingScripts.Reset && attempt == 0)
            {
                await RebuildAsync(request.TenantId).ConfigureAwait(false);
                continue;
            }

            var epoch = Remember(request.TenantId, result[4]);
            var spend = new TenantSpend((long)result[1], (long)result[2], (long)result[3]);
            return outcome switch
            {
                0 => new Admission(AdmissionOutcome.Admitted, new Reservation(id, request.TenantId, amount, window, request.EstimatedTokens, ReservationOrigin.Redis) { StoreEpoch = epoch }, spend),
                1 => new Admission(AdmissionOutcome.BudgetExhausted, null, spend),
                2 => AdmissionRules.Limited(spend, "requests", now),
                3 => AdmissionRules.Limited(spend, "tokens", now),
                // Released before it was made, or a reset twice in a row: never admitted.
                _ => throw new RedisServerException(RedisErrorKind.TryAgain, CommandFlags.None, $"TRYAGAIN admission {id} of tenant {request.TenantId} could not be made (outcome {outcome})."),
            };
        }
    }

    public async ValueTask SettleAsync(Reservation reservation, SettledUsage usage, CancellationToken cancellationToken = default)
    {
        if (reservation.TryComplete())
        {
            await SettleAtAsync(reservation.TenantId, reservation, usage, time.GetUtcNow(), reservation.Id).ConfigureAwait(false);
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
        for (var attempt = 0; ; attempt++)
        {
            var result = (RedisResult[])(await Database.ScriptEvaluateAsync(
                RedisAccountingScripts.RecordCacheHit,
                [keys.Ledger(BudgetPeriod.Day(at)), keys.Epoch],
                [saving.Expert, saving.SavedNanos, (long)_options.LedgerRetention.TotalMilliseconds, ExpectedEpoch(tenantId), NewEpoch()]).ConfigureAwait(false))!;
            if ((int)result[0] == RedisAccountingScripts.Reset && attempt == 0)
            {
                await RebuildAsync(tenantId).ConfigureAwait(false);
                continue;
            }

            Remember(tenantId, result[1]);
            _recorded.CacheHit(tenantId, saving, at);
            return;
        }
    }

    public async ValueTask<TenantSpend> GetSpendAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var keys = new RedisAccountingKeys(tenantId);
        var values = await Database.StringGetAsync([keys.SpentDay(now), keys.SpentMonth(now), keys.Reserved, keys.Epoch]).ConfigureAwait(false);
        if (values[3].IsNull || (_epochs.TryGetValue(tenantId, out var known) && known != (string)values[3]!))
        {
            // Spend read from a Redis that lost it would say the budget is untouched.
            await RebuildAsync(tenantId).ConfigureAwait(false);
            values = await Database.StringGetAsync([keys.SpentDay(now), keys.SpentMonth(now), keys.Reserved]).ConfigureAwait(false);
        }

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

    /// <summary>
    /// Settles at a given time (now, or when the usage happened for entries replayed after an outage), once per
    /// <paramref name="settlementId"/>: a replay of a settlement that already landed changes nothing. True when this
    /// call recorded it, false when an earlier attempt had.
    /// </summary>
    internal async Task<bool> SettleAtAsync(string tenantId, Reservation? reservation, SettledUsage usage, DateTimeOffset at, string settlementId)
    {
        var keys = new RedisAccountingKeys(tenantId);
        var window = reservation?.RateWindow ?? BudgetPeriod.RateWindow(at);
        // Without an id there is nothing to count once by; a fresh one at least never merges two settlements.
        settlementId = settlementId.Length > 0 ? settlementId : RandomIds.NewGuid().ToString("N");
        for (var attempt = 0; ; attempt++)
        {
            var result = (RedisResult[])(await Database.ScriptEvaluateAsync(
                RedisAccountingScripts.Settle,
                [keys.Reserved, keys.Reservations, keys.ReservationExpiry, keys.SpentDay(at), keys.SpentMonth(at), keys.Ledger(BudgetPeriod.Day(at)), keys.WindowTokens(window),
                 keys.Epoch, keys.Swept, keys.Settled(settlementId)],
                [
                    settlementId, usage.CostNanos, usage.Expert, usage.PromptTokens, usage.CompletionTokens,
                    reservation?.EstimatedTokens ?? 0, (long)DayTtl.TotalMilliseconds, (long)MonthTtl.TotalMilliseconds,
                    (long)_options.LedgerRetention.TotalMilliseconds, ExpectedEpoch(tenantId),
                    reservation is { Origin: ReservationOrigin.Redis } ? reservation.StoreEpoch ?? "" : "", (long)MarkerTtl.TotalMilliseconds, NewEpoch(),
                ]).ConfigureAwait(false))!;
            var code = (int)result[0];
            if (code == RedisAccountingScripts.Reset && attempt == 0)
            {
                await RebuildAsync(tenantId).ConfigureAwait(false);
                continue;
            }

            Remember(tenantId, result[1]);
            // Recorded now or by an earlier attempt of this replica whose answer was lost: part of its share either way.
            _recorded.Settled(tenantId, usage, at);
            return code is 0 or 1;
        }
    }

    /// <summary>
    /// Returns a reservation. <paramref name="admissionUncertain"/>: the admission timed out, so it may still land;
    /// a tombstone then keeps it from being made after this release.
    /// </summary>
    internal async Task ReleaseCoreAsync(Reservation reservation, bool admissionUncertain = false)
    {
        var keys = new RedisAccountingKeys(reservation.TenantId);
        await Database.ScriptEvaluateAsync(
            RedisAccountingScripts.Release,
            [keys.Reserved, keys.Reservations, keys.ReservationExpiry, keys.WindowTokens(reservation.RateWindow), keys.Gone(reservation.Id)],
            [reservation.Id, reservation.EstimatedTokens, admissionUncertain ? 1 : 0, (long)_options.ReservationTimeout.TotalMilliseconds]).ConfigureAwait(false);
    }

    /// <summary>How long Redis takes to answer a PING.</summary>
    internal async Task<TimeSpan> PingAsync() => await Database.PingAsync().ConfigureAwait(false);

    /// <summary>
    /// Redis lost the tenant's data (or another replica already noticed and started a new epoch): give back this
    /// replica's recorded share once per epoch, then carry on in that epoch.
    /// </summary>
    private async Task RebuildAsync(string tenantId)
    {
        var now = time.GetUtcNow();
        var keys = new RedisAccountingKeys(tenantId);
        var share = _recorded.ShareOf(tenantId, now);
        var days = share.Ledger.Select(e => e.Day).Distinct().Order().ToList();
        var arguments = new List<RedisValue>
        {
            NewEpoch(), _replicaId, share.DayNanos, share.MonthNanos,
            (long)DayTtl.TotalMilliseconds, (long)MonthTtl.TotalMilliseconds, (long)_options.LedgerRetention.TotalMilliseconds,
        };
        foreach (var entry in share.Ledger)
        {
            var key = 5 + days.IndexOf(entry.Day);
            foreach (var (field, value) in LedgerFields.Of(entry))
            {
                arguments.AddRange([key, field, value]);
            }
        }

        var epoch = (string)(await Database.ScriptEvaluateAsync(
            RedisAccountingScripts.Rebuild,
            [keys.Epoch, keys.Contributions, keys.SpentDay(now), keys.SpentMonth(now), .. days.Select(keys.Ledger)],
            [.. arguments]).ConfigureAwait(false))!;
        var previous = _epochs.TryGetValue(tenantId, out var known) ? known : null;
        _epochs[tenantId] = epoch;
        if (previous is not null || share.MonthNanos > 0)
        {
            Log.Rebuilt(_logger, tenantId, previous ?? "(none)", epoch, UsdNanos.ToUsd(share.MonthNanos));
        }
    }

    private string ExpectedEpoch(string tenantId) => _epochs.GetValueOrDefault(tenantId, "");

    private static string NewEpoch() => Guid.NewGuid().ToString("N");

    private string Remember(string tenantId, RedisResult epoch)
    {
        var value = (string)epoch!;
        if (!string.IsNullOrEmpty(value))
        {
            _epochs[tenantId] = value;
        }

        return value;
    }

    private IDatabase Database => redis.GetDatabase();

    private static long AsLong(RedisValue value) =>
        value.IsNullOrEmpty ? 0 : long.Parse((string)value!, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.AccountingEpochReset, Level = LogLevel.Warning, Message = "Redis lost tenant {TenantId}'s accounting (epoch {Previous} -> {Epoch}); this replica gave back the {MonthUsd} USD it recorded this month.")]
        public static partial void Rebuilt(ILogger logger, string tenantId, string previous, string epoch, double monthUsd);
    }
}
