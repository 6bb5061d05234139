using ExpertRouter.Core.Telemetry;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Accounting.InProcess;
using ExpertRouter.Gateway.Accounting.Redis;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Accounting;

/// <summary>
/// Redis accounting that keeps serving when Redis is down. Calls fall back to in-process counters, which start
/// from each tenant's last spend seen in Redis, so budgets stay roughly enforced per replica; usage settled
/// meanwhile is journalled and written back (reconciled) as soon as Redis answers again.
/// </summary>
public sealed partial class ResilientTenantAccounting(
    RedisTenantAccounting redis,
    InProcessTenantAccounting local,
    TimeProvider time,
    ILogger<ResilientTenantAccounting> logger) : ITenantAccounting
{
    private readonly AccountingJournal _journal = new();
    private readonly DegradationState _state = new();
    private readonly SemaphoreSlim _reconciling = new(1, 1);

    /// <summary>True while calls are served in-process.</summary>
    public bool IsDegraded => _state.IsDegraded;

    /// <summary>Usage entries waiting to be written back to Redis.</summary>
    public int PendingReconciliation => _journal.Count;

    public async ValueTask<Admission> TryAdmitAsync(AdmissionRequest request, CancellationToken cancellationToken = default)
    {
        if (await RedisUsableAsync().ConfigureAwait(false))
        {
            try
            {
                var admission = await redis.TryAdmitAsync(request, cancellationToken).ConfigureAwait(false);
                _state.Remember(request.TenantId, admission.Spend);
                return admission;
            }
            catch (Exception ex) when (IsOutage(ex))
            {
                EnterDegraded(ex);
            }
        }

        TenantMetrics.AccountingDegraded.Add(1);
        if (_state.TakeSeed(request.TenantId) is { } known)
        {
            local.SeedSpend(request.TenantId, time.GetUtcNow(), known);
        }

        return await local.TryAdmitAsync(request, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask SettleAsync(Reservation reservation, SettledUsage usage, CancellationToken cancellationToken = default)
    {
        if (!reservation.TryComplete())
        {
            return;
        }

        var now = time.GetUtcNow();
        if (reservation.Origin == ReservationOrigin.InProcess)
        {
            local.Release(reservation);
        }

        if (await RedisUsableAsync().ConfigureAwait(false))
        {
            try
            {
                await redis.SettleAtAsync(reservation.TenantId, reservation.Origin == ReservationOrigin.Redis ? reservation : null, usage, now).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (IsOutage(ex))
            {
                EnterDegraded(ex);
            }
        }

        TenantMetrics.AccountingDegraded.Add(1);
        local.Settle(null, usage, now, reservation.TenantId);
        _journal.Add(new JournalEntry(reservation.TenantId, reservation.Origin == ReservationOrigin.Redis ? reservation : null, usage, now));
    }

    public async ValueTask ReleaseAsync(Reservation reservation, CancellationToken cancellationToken = default)
    {
        if (!reservation.TryComplete())
        {
            return;
        }

        if (reservation.Origin == ReservationOrigin.InProcess)
        {
            local.Release(reservation);
            return;
        }

        try
        {
            await redis.ReleaseCoreAsync(reservation).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            EnterDegraded(ex);
            _journal.Add(new JournalEntry(reservation.TenantId, reservation, null, time.GetUtcNow()));
        }
    }

    public async ValueTask RecordCacheHitAsync(string tenantId, CacheSaving saving, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (await RedisUsableAsync().ConfigureAwait(false))
        {
            try
            {
                await redis.RecordCacheHitAtAsync(tenantId, saving, now).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (IsOutage(ex))
            {
                EnterDegraded(ex);
            }
        }

        local.RecordCacheHit(tenantId, saving, now);
        _journal.Add(new JournalEntry(tenantId, null, null, now, saving));
    }

    public async ValueTask<TenantSpend> GetSpendAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        if (await RedisUsableAsync().ConfigureAwait(false))
        {
            try
            {
                return await redis.GetSpendAsync(tenantId, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsOutage(ex))
            {
                EnterDegraded(ex);
            }
        }

        return await local.GetSpendAsync(tenantId, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<LedgerEntry>> GetLedgerAsync(string tenantId, DateOnly from, DateOnly to, CancellationToken cancellationToken = default)
    {
        if (await RedisUsableAsync().ConfigureAwait(false))
        {
            try
            {
                return await redis.GetLedgerAsync(tenantId, from, to, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsOutage(ex))
            {
                EnterDegraded(ex);
            }
        }

        return await local.GetLedgerAsync(tenantId, from, to, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes journalled usage back to Redis; returns how many entries were written.</summary>
    public async Task<int> ReconcileAsync()
    {
        await _reconciling.WaitAsync().ConfigureAwait(false);
        try
        {
            var pending = _journal.Drain();
            for (var i = 0; i < pending.Count; i++)
            {
                try
                {
                    await Replay(pending[i]).ConfigureAwait(false);
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
        finally
        {
            _reconciling.Release();
        }
    }

    private Task Replay(JournalEntry entry) => entry switch
    {
        { Usage: { } usage } => redis.SettleAtAsync(entry.TenantId, entry.Reservation, usage, entry.At),
        { Saving: { } saving } => redis.RecordCacheHitAtAsync(entry.TenantId, saving, entry.At),
        _ => redis.ReleaseCoreAsync(entry.Reservation!),
    };

    /// <summary>
    /// Lets a probe, not only a request, end an outage: without traffic the journal would otherwise wait in this
    /// process and readiness would stay Degraded after Redis is back. True when Redis is in use again.
    /// </summary>
    public async ValueTask<bool> TryRecoverAsync()
    {
        if (!_state.IsDegraded && _journal.Count == 0)
        {
            return true;
        }

        try
        {
            return await RedisUsableAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            EnterDegraded(ex);
            return false;
        }
    }

    /// <summary>Redis is used when connected; the first call after an outage writes the journal back first.</summary>
    private async ValueTask<bool> RedisUsableAsync()
    {
        if (!redis.IsConnected)
        {
            EnterDegraded(null);
            return false;
        }

        if (_state.IsDegraded || _journal.Count > 0)
        {
            await ReconcileAsync().ConfigureAwait(false);
        }

        return !_state.IsDegraded;
    }

    private void EnterDegraded(Exception? cause)
    {
        if (_state.Degrade())
        {
            Log.Degraded(logger, cause?.Message ?? "not connected", cause);
        }
    }

    // A Redis Cluster refuses while a failover is under way (CLUSTERDOWN, TRYAGAIN) and a node answers LOADING or
    // MASTERDOWN while it cannot serve: Redis is unusable then, the call is not wrong, so it counts as an outage.
    // The reply's prefix is checked too, in case the client leaves the error kind unclassified.
    private static readonly string[] UnavailableReplies = ["CLUSTERDOWN", "TRYAGAIN", "LOADING", "MASTERDOWN"];

    internal static bool IsOutage(Exception ex) => ex switch
    {
        RedisConnectionException or RedisTimeoutException or ObjectDisposedException => true,
        RedisServerException { Kind: RedisErrorKind.ClusterDown or RedisErrorKind.TryAgain or RedisErrorKind.Loading or RedisErrorKind.MasterDown } => true,
        RedisServerException server => UnavailableReplies.Any(reply => server.Message.StartsWith(reply, StringComparison.Ordinal)),
        _ => false,
    };

    private static partial class Log
    {
        [LoggerMessage(LogEvents.AccountingDegraded, LogLevel.Error, "Redis is unreachable ({Reason}); accounting continues in-process (degraded) until it returns.")]
        public static partial void Degraded(ILogger logger, string reason, Exception? exception);

        [LoggerMessage(LogEvents.AccountingRecovered, LogLevel.Warning, "Redis is back; {Entries} usage entries recorded in-process were written back.")]
        public static partial void Recovered(ILogger logger, int entries);
    }
}
