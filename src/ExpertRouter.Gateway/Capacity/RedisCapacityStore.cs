using System.Collections.Concurrent;
using ExpertRouter.Core.Identifiers;
using ExpertRouter.Core.Telemetry;
using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Configuration;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Capacity;

/// <summary>
/// Quotas shared by every replica through Redis: a take, a settlement and a release are each one Lua script
/// (<see cref="RedisCapacityScripts"/>), so replicas together never pass an expert's quota. A call that does not
/// answer within <see cref="CapacityOptions.CommandTimeout"/>, or fails as an outage, is counted in process instead
/// (from the store's last counts, and counted in <c>expertrouter_capacity_degraded_total</c>) and for
/// <see cref="CapacityOptions.RetryStoreAfter"/> no call waits on Redis; then one tries again. No request ever fails
/// because the quota store is down. Places in flight that could not be freed are freed when Redis answers again.
/// </summary>
internal sealed partial class RedisCapacityStore(
    IConnectionMultiplexer redis, CapacityOptions options, TimeProvider time, CapacityMetrics metrics, ILogger<RedisCapacityStore> logger) : ICapacityStore
{
    private const long WindowTtlMs = 120_000;
    private const int MaxLeasesToFree = 10_000;
    private readonly ConcurrentQueue<(RedisKey Set, string Lease)> _leasesToFree = new();
    private long _retryAtMs;
    private int _degraded;

    public string Name => "redis";

    /// <summary>True while quotas are counted in process because Redis faulted.</summary>
    public bool IsDegraded => Volatile.Read(ref _degraded) == 1;

    public async ValueTask<CapacityGrant> TakeAsync(ExpertLoad load, int estimatedTokens, TimeSpan lease, long nowMs, bool afterProviderWait)
    {
        if (load.Limits is not { } limits)
        {
            // Nothing to count: only the provider's own signals apply, and this replica holds those.
            return load.TakeLocal(estimatedTokens, nowMs, afterProviderWait);
        }

        if (Usable(nowMs))
        {
            var window = ExpertLoad.Window(nowMs);
            var leaseId = limits.MaxConcurrency is null ? "" : RandomIds.NewGuid().ToString("N");
            var prefix = load.KeyPrefix;
            try
            {
                var reply = (RedisResult[])(await Bounded(Database.ScriptEvaluateAsync(
                    RedisCapacityScripts.Take,
                    [prefix + "req:" + window, prefix + "tok:" + window, prefix + "conc", prefix + "block"],
                    [
                        nowMs, limits.RequestsPerMinute ?? -1, limits.TokensPerMinute ?? -1, limits.MaxConcurrency ?? -1, estimatedTokens,
                        leaseId, nowMs + (long)lease.TotalMilliseconds, WindowTtlMs, (long)ExpertLoad.UntilNextWindow(nowMs).TotalMilliseconds,
                        afterProviderWait ? 0 : 1,
                    ])).ConfigureAwait(false))!;
                Answered();
                var outcome = (int)reply[0];
                var wait = TimeSpan.FromMilliseconds((long)reply[4]);
                load.Observe(window, (long)reply[1], (long)reply[2], (long)reply[3], outcome == 4 ? (long)reply[4] : 0, nowMs);
                return outcome switch
                {
                    0 => new CapacityGrant(new CapacitySlot(load, window, estimatedTokens, leaseId.Length == 0 ? null : leaseId, inStore: true), CapacityLimit.None, TimeSpan.Zero),
                    1 => CapacityGrant.Refused(CapacityLimit.Requests, wait),
                    2 => CapacityGrant.Refused(CapacityLimit.Tokens, wait),
                    3 => CapacityGrant.Refused(CapacityLimit.Concurrency, ExpertLoad.ConcurrencyRetry),
                    _ => CapacityGrant.Refused(CapacityLimit.Provider, wait),
                };
            }
            catch (Exception ex) when (ResilientTenantAccounting.IsOutage(ex))
            {
                Degrade(ex, nowMs);
            }
        }

        metrics.Degraded();
        return load.TakeLocal(estimatedTokens, nowMs, afterProviderWait);
    }

    public ValueTask SettleAsync(CapacitySlot slot, long usedTokens, long nowMs)
    {
        var tokenDelta = slot.Load.Limits?.TokensPerMinute is null ? 0 : usedTokens - slot.EstimatedTokens;
        if (!slot.InStore || (tokenDelta == 0 && slot.LeaseId is null))
        {
            slot.Load.SettleLocal(slot, usedTokens, nowMs);
            return ValueTask.CompletedTask;
        }

        return GiveBackAsync(slot, tokenDelta, 0, () => slot.Load.SettleLocal(slot, usedTokens, nowMs), nowMs);
    }

    public ValueTask ReleaseAsync(CapacitySlot slot, long nowMs)
    {
        if (!slot.InStore)
        {
            slot.Load.ReleaseLocal(slot, nowMs);
            return ValueTask.CompletedTask;
        }

        var tokens = slot.Load.Limits?.TokensPerMinute is null ? 0 : -slot.EstimatedTokens;
        return GiveBackAsync(slot, tokens, -1, () => slot.Load.ReleaseLocal(slot, nowMs), nowMs);
    }

    public void ShareBlock(ExpertLoad load, TimeSpan duration)
    {
        if (load.Limits is not null && Usable(time.GetUtcNow().ToUnixTimeMilliseconds()))
        {
            _ = BlockAsync(load.KeyPrefix + "block", (long)duration.TotalMilliseconds);
        }
    }

    private async ValueTask GiveBackAsync(CapacitySlot slot, long tokenDelta, int requestDelta, Action locally, long nowMs)
    {
        var prefix = slot.Load.KeyPrefix;
        if (Usable(nowMs))
        {
            try
            {
                var reply = (RedisResult[])(await Bounded(Database.ScriptEvaluateAsync(
                    RedisCapacityScripts.GiveBack,
                    [prefix + "req:" + slot.Window, prefix + "tok:" + slot.Window, prefix + "conc"],
                    [slot.LeaseId ?? "", tokenDelta, requestDelta])).ConfigureAwait(false))!;
                Answered();
                slot.Load.Observe(slot.Window, (long)reply[0], (long)reply[1], (long)reply[2], 0, nowMs);
                return;
            }
            catch (Exception ex) when (ResilientTenantAccounting.IsOutage(ex))
            {
                Degrade(ex, nowMs);
            }
        }

        metrics.Degraded();
        locally();
        if (slot.LeaseId is { } lease && _leasesToFree.Count < MaxLeasesToFree)
        {
            // Until Redis answers the place stays taken there; its lease expiry bounds that if it never does.
            _leasesToFree.Enqueue((prefix + "conc", lease));
        }
    }

    private async Task BlockAsync(RedisKey key, long milliseconds)
    {
        try
        {
            await Bounded(Database.ScriptEvaluateAsync(RedisCapacityScripts.Block, [key], [milliseconds])).ConfigureAwait(false);
        }
        catch (Exception ex) when (ResilientTenantAccounting.IsOutage(ex))
        {
            Degrade(ex, time.GetUtcNow().ToUnixTimeMilliseconds());
        }
    }

    private bool Usable(long nowMs)
    {
        if (redis.IsConnected)
        {
            return nowMs >= Volatile.Read(ref _retryAtMs);
        }

        if (Interlocked.Exchange(ref _degraded, 1) == 0)
        {
            Log.Degraded(logger, "not connected", null);
        }

        return false;
    }

    private void Degrade(Exception? cause, long nowMs)
    {
        Volatile.Write(ref _retryAtMs, nowMs + (long)options.RetryStoreAfter.TotalMilliseconds);
        if (Interlocked.Exchange(ref _degraded, 1) == 0)
        {
            Log.Degraded(logger, cause?.Message ?? "not connected", cause);
        }
    }

    private void Answered()
    {
        if (Volatile.Read(ref _degraded) == 0 || Interlocked.Exchange(ref _degraded, 0) == 0)
        {
            return;
        }

        Log.Recovered(logger, _leasesToFree.Count);
        _ = FreeLeasesAsync();
    }

    private async Task FreeLeasesAsync()
    {
        while (_leasesToFree.TryDequeue(out var item))
        {
            try
            {
                await Bounded(Database.SortedSetRemoveAsync(item.Set, item.Lease)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ResilientTenantAccounting.IsOutage(ex))
            {
                _leasesToFree.Enqueue(item);
                Degrade(ex, time.GetUtcNow().ToUnixTimeMilliseconds());
                return;
            }
        }
    }

    private Task<T> Bounded<T>(Task<T> call) => call.WaitAsync(options.CommandTimeout, time);

    private IDatabase Database => redis.GetDatabase();

    private static partial class Log
    {
        [LoggerMessage(LogEvents.CapacityStoreDegraded, LogLevel.Error, "Redis is unusable for expert quotas ({Reason}); counting them in process until it answers again.")]
        public static partial void Degraded(ILogger logger, string reason, Exception? exception);

        [LoggerMessage(LogEvents.CapacityStoreRecovered, LogLevel.Warning, "Redis answers again for expert quotas; freeing {Leases} places in flight held meanwhile.")]
        public static partial void Recovered(ILogger logger, int leases);
    }
}
