using ExpertRouter.Core.Identifiers;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Accounting.InProcess;
using ExpertRouter.Gateway.Accounting.Redis;
using ExpertRouter.Gateway.Configuration;
using Microsoft.Extensions.Logging;

namespace ExpertRouter.Gateway.Accounting;

/// <summary>
/// Redis accounting that keeps serving when Redis is down, refuses, or stops answering. Every Redis call is bounded
/// by <see cref="AccountingOptions.CommandTimeout"/>; past it, or on an outage error, the call is served in-process
/// and its outcome journalled as uncertain: a settlement is replayed (idempotently, by its reservation's id), an
/// admission whose answer was lost is released (with a tombstone, so it cannot land later). While degraded, one
/// request at a time tries Redis again (writing the journal back) and the others are served in-process without
/// waiting; once a probe (<see cref="TryRecoverAsync"/>) finds Redis connected but silent (hung), only probes try it. Admissions meanwhile run on in-process counters started from each tenant's last
/// spend seen in Redis and bounded by <see cref="OutageAllowance"/>; tenants whose spend this replica never read are
/// refused their budgeted requests unless an allowance is configured.
/// </summary>
public sealed partial class ResilientTenantAccounting(
    RedisTenantAccounting redis,
    InProcessTenantAccounting local,
    TimeProvider time,
    ILogger<ResilientTenantAccounting> logger,
    AccountingOptions? options = null) : ITenantAccounting, ITenantLedger
{
    private readonly AccountingJournal _journal = new();
    private readonly DegradationState _state = new();
    private readonly SemaphoreSlim _reconciling = new(1, 1);
    private readonly AccountingOptions _options = options ?? new AccountingOptions();

    /// <summary>True while calls are served in-process.</summary>
    public bool IsDegraded => _state.IsDegraded;

    /// <summary>True while degraded because Redis stopped answering in time (connected but hung or overloaded).</summary>
    public bool IsHung => _state.IsHung;

    /// <summary>Usage entries waiting to be written back to Redis.</summary>
    public int PendingReconciliation => _journal.Count;

    /// <summary>The last probe's round trip; null when the last probe failed or none ran yet.</summary>
    public TimeSpan? LastProbeLatency { get; private set; }

    public AccountingOptions Options => _options;

    public async ValueTask<Admission> TryAdmitAsync(AdmissionRequest request, CancellationToken cancellationToken = default)
    {
        if (await RedisUsableAsync(onRequestPath: true).ConfigureAwait(false))
        {
            var id = RandomIds.NewGuid().ToString("N");
            try
            {
                var admission = await Bounded(redis.TryAdmitAsync(request, id)).ConfigureAwait(false);
                _state.Remember(request.TenantId, admission.Spend, time.GetUtcNow());
                return admission;
            }
            catch (Exception ex) when (IsOutage(ex))
            {
                EnterDegraded(ex);
                // The script may still run once Redis answers: release it then, so it does not hold budget for nothing.
                var now = time.GetUtcNow();
                var maybe = new Reservation(id, request.TenantId, UsdNanos.FromUsdCeiling(request.MaxCostUsd), BudgetPeriod.RateWindow(now), request.EstimatedTokens, ReservationOrigin.Redis);
                _journal.Add(new JournalEntry(request.TenantId, maybe, null, now) { AdmissionUncertain = true });
            }
        }

        return await AdmitInProcessAsync(request).ConfigureAwait(false);
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

        var inRedis = reservation.Origin == ReservationOrigin.Redis ? reservation : null;
        if (await RedisUsableAsync(onRequestPath: true).ConfigureAwait(false))
        {
            try
            {
                await Bounded(redis.SettleAtAsync(reservation.TenantId, inRedis, usage, now, reservation.Id)).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (IsOutage(ex))
            {
                EnterDegraded(ex);
            }
        }

        TenantMetrics.AccountingDegraded.Add(1);
        local.Settle(null, usage, now, reservation.TenantId);
        _journal.Add(new JournalEntry(reservation.TenantId, inRedis, usage, now) { SettlementId = reservation.Id });
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

        if (await RedisUsableAsync(onRequestPath: true).ConfigureAwait(false))
        {
            try
            {
                await Bounded(redis.ReleaseCoreAsync(reservation)).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (IsOutage(ex))
            {
                EnterDegraded(ex);
            }
        }

        // Written back when Redis answers: until then the reservation holds budget there, never longer.
        _journal.Add(new JournalEntry(reservation.TenantId, reservation, null, time.GetUtcNow()));
    }

    public async ValueTask RecordCacheHitAsync(string tenantId, CacheSaving saving, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (await RedisUsableAsync(onRequestPath: true).ConfigureAwait(false))
        {
            try
            {
                await Bounded(redis.RecordCacheHitAtAsync(tenantId, saving, now)).ConfigureAwait(false);
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
        if (await RedisUsableAsync(onRequestPath: true).ConfigureAwait(false))
        {
            try
            {
                var spend = await Bounded(redis.GetSpendAsync(tenantId, cancellationToken).AsTask()).ConfigureAwait(false);
                _state.Remember(tenantId, spend, time.GetUtcNow());
                return spend;
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
        if (await RedisUsableAsync(onRequestPath: true).ConfigureAwait(false))
        {
            try
            {
                return await Bounded(redis.GetLedgerAsync(tenantId, from, to, cancellationToken).AsTask()).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsOutage(ex))
            {
                EnterDegraded(ex);
            }
        }

        return await local.GetLedgerAsync(tenantId, from, to, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An admission while Redis is unusable: in-process counters, within the outage allowance.</summary>
    private async Task<Admission> AdmitInProcessAsync(AdmissionRequest request)
    {
        TenantMetrics.AccountingDegraded.Add(1);
        var now = time.GetUtcNow();
        if (_state.TakeSeed(request.TenantId) is { } seed)
        {
            local.SeedSpend(request.TenantId, now, seed.Spend);
        }

        var retryAfter = StateStoreRetryAfter;
        if (OutageAllowance.Limit(request, _state.Known(request.TenantId), _options, now) is not { } bounded)
        {
            return new Admission(AdmissionOutcome.SpendUnverified, null, await local.GetSpendAsync(request.TenantId).ConfigureAwait(false)) { RetryAfter = retryAfter };
        }

        var admission = await local.TryAdmitAsync(bounded).ConfigureAwait(false);
        // Refused by the allowance, not by the budget itself: say so, and when to try again.
        return admission.Outcome == AdmissionOutcome.BudgetExhausted && !AdmissionRules.ExceedsBudget(request, admission.Spend, UsdNanos.FromUsdCeiling(request.MaxCostUsd))
            ? admission with { Outcome = AdmissionOutcome.SpendUnverified, RetryAfter = retryAfter }
            : admission;
    }

    /// <summary>A Redis call that takes longer than the command timeout is abandoned (its outcome becomes uncertain).</summary>
    private Task<T> Bounded<T>(Task<T> call) => call.WaitAsync(_options.CommandTimeout, time);

    private Task Bounded(Task call) => call.WaitAsync(_options.CommandTimeout, time);
}
