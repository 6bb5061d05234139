namespace ExpertRouter.Gateway.Accounting;

/// <summary>
/// Budgets and rate limits of every tenant: what a request goes through. A request is admitted by reserving its
/// worst-case cost before the expert is called; the real cost is settled from the returned usage, or the reservation
/// released when the call fails. Implementations are atomic across replicas when they share a store; the same
/// instance reads spend back as an <see cref="ITenantLedger"/>.
/// </summary>
public interface ITenantAccounting
{
    /// <summary>Checks rate limits and budget and, when both allow it, reserves the request's maximum cost.</summary>
    ValueTask<Admission> TryAdmitAsync(AdmissionRequest request, CancellationToken cancellationToken = default);

    /// <summary>Records the real cost and usage and returns the reservation; call once per admitted request.</summary>
    ValueTask SettleAsync(Reservation reservation, SettledUsage usage, CancellationToken cancellationToken = default);

    /// <summary>Returns the reservation without spending anything (the expert call failed).</summary>
    ValueTask ReleaseAsync(Reservation reservation, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a request answered from the response cache: no spend, no reservation; the ledger counts the hit and
    /// the saving under the cached answer's expert.
    /// </summary>
    ValueTask RecordCacheHitAsync(string tenantId, CacheSaving saving, CancellationToken cancellationToken = default);
}
