using ExpertRouter.Core.Telemetry;
using ExpertRouter.Core.Tenants;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Accounting;

/// <summary>Entering and leaving degraded mode: outage classification, probes and writing the journal back.</summary>
public sealed partial class ResilientTenantAccounting
{
    /// <summary>How often the background probe runs (<c>StateStoreRecovery</c>), and so the Retry-After of a refusal.</summary>
    public static readonly TimeSpan StateStoreRetryAfter = TimeSpan.FromSeconds(2);

    /// <summary>Writes journalled usage back to Redis; returns how many entries were written.</summary>
    public async Task<int> ReconcileAsync()
    {
        await _reconciling.WaitAsync().ConfigureAwait(false);
        try
        {
            return await ReconcileLockedAsync().ConfigureAwait(false);
        }
        finally
        {
            _reconciling.Release();
        }
    }

    /// <summary>
    /// Probes Redis (one PING within the command timeout), so a hung store is noticed without traffic and a recovered
    /// one ends the outage and gets its journal without waiting for a request. True when Redis is in use.
    /// </summary>
    public async ValueTask<bool> TryRecoverAsync()
    {
        try
        {
            LastProbeLatency = await Bounded(redis.PingAsync()).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            LastProbeLatency = null;
            EnterDegraded(ex, hung: ex is TimeoutException && _state.ProbeTimedOut());
            return false;
        }

        _state.Answered();
        return await RedisUsableAsync(onRequestPath: false).ConfigureAwait(false);
    }

    /// <summary>
    /// Redis is used when connected and not degraded; after an outage the journal is written back first, by one
    /// caller at a time (the others carry on in-process instead of queueing behind it), so at most one request at a
    /// time waits on a store that may not answer. A request never retries a store a probe found hung: that is left to
    /// the probe, so from then on a store that stopped answering costs requests nothing.
    /// </summary>
    private async ValueTask<bool> RedisUsableAsync(bool onRequestPath)
    {
        if (!redis.IsConnected)
        {
            EnterDegraded(null);
            return false;
        }

        if (!_state.IsDegraded && _journal.Count == 0)
        {
            return true;
        }

        if ((onRequestPath && _state.IsHung) || !await _reconciling.WaitAsync(0).ConfigureAwait(false))
        {
            return false;
        }

        try
        {
            await ReconcileLockedAsync().ConfigureAwait(false);
        }
        finally
        {
            _reconciling.Release();
        }

        return !_state.IsDegraded;
    }

    private async Task<int> ReconcileLockedAsync()
    {
        var pending = _journal.Drain();
        for (var i = 0; i < pending.Count; i++)
        {
            try
            {
                await Bounded(Replay(pending[i])).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsOutage(ex))
            {
                _journal.Restore(pending.Skip(i));
                EnterDegraded(ex);
                return i;
            }
        }

        TenantMetrics.AccountingReconciled.Add(pending.Count);
        if (_state.Recover())
        {
            Log.Recovered(logger, pending.Count);
        }

        return pending.Count;
    }

    private Task Replay(JournalEntry entry) => entry switch
    {
        { Usage: { } usage } => redis.SettleAtAsync(entry.TenantId, entry.Reservation, usage, entry.At, entry.SettlementId),
        { Saving: { } saving } => redis.RecordCacheHitAtAsync(entry.TenantId, saving, entry.At),
        _ => redis.ReleaseCoreAsync(entry.Reservation!, entry.AdmissionUncertain),
    };

    /// <summary>
    /// Only probes mark the store hung (two PINGs in a row without an answer): one slow call under a load spike
    /// degrades this replica until the next call finds Redis answering, while a hung store keeps every request off
    /// Redis until a probe gets an answer.
    /// </summary>
    private void EnterDegraded(Exception? cause, bool hung = false)
    {
        if (_state.Degrade(hung))
        {
            Log.Degraded(logger, cause?.Message ?? "not connected", cause);
        }
    }

    // A Redis Cluster refuses while a failover is under way (CLUSTERDOWN, TRYAGAIN) and a node answers LOADING or
    // MASTERDOWN while it cannot serve: Redis is unusable then, the call is not wrong, so it counts as an outage.
    // The reply's prefix is checked too, in case the client leaves the error kind unclassified.
    private static readonly string[] UnavailableReplies = ["CLUSTERDOWN", "TRYAGAIN", "LOADING", "MASTERDOWN"];

    /// <summary>
    /// Redis failures that mean "unusable now", not "wrong call"; a <see cref="TimeoutException"/> is also what
    /// <see cref="AccountingOptions.CommandTimeout"/> raises (RedisTimeoutException is one too).
    /// </summary>
    internal static bool IsOutage(Exception ex) => ex switch
    {
        RedisConnectionException or TimeoutException or ObjectDisposedException => true,
        RedisServerException { Kind: RedisErrorKind.ClusterDown or RedisErrorKind.TryAgain or RedisErrorKind.Loading or RedisErrorKind.MasterDown } => true,
        RedisServerException server => UnavailableReplies.Any(reply => server.Message.StartsWith(reply, StringComparison.Ordinal)),
        _ => false,
    };

    private static partial class Log
    {
        [LoggerMessage(LogEvents.AccountingDegraded, LogLevel.Error, "Redis is unusable ({Reason}); accounting continues in-process (degraded) until it returns.")]
        public static partial void Degraded(ILogger logger, string reason, Exception? exception);

        [LoggerMessage(LogEvents.AccountingRecovered, LogLevel.Warning, "Redis is back; {Entries} usage entries recorded in-process were written back.")]
        public static partial void Recovered(ILogger logger, int entries);
    }
}
