namespace ExpertRouter.Gateway.Accounting;

/// <summary>
/// What every tenant has spent, as <see cref="ITenantAccounting"/> recorded it: read by reports, the budget headers
/// and the console, never on the admission path's hot loop, so it stays apart from admission.
/// </summary>
public interface ITenantLedger
{
    /// <summary>Spend so far in the current UTC day and month, and the cost reserved by requests in flight.</summary>
    ValueTask<TenantSpend> GetSpendAsync(string tenantId, CancellationToken cancellationToken = default);

    /// <summary>The ledger between two UTC days, inclusive: one entry per expert and day that saw traffic.</summary>
    ValueTask<IReadOnlyList<LedgerEntry>> GetLedgerAsync(string tenantId, DateOnly from, DateOnly to, CancellationToken cancellationToken = default);
}
