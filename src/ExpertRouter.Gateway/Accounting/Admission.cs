namespace ExpertRouter.Gateway.Accounting;

public enum AdmissionOutcome
{
    Admitted,

    /// <summary>The reservation would take spend past the daily or monthly budget (429 <c>insufficient_quota</c>).</summary>
    BudgetExhausted,

    /// <summary>Requests per minute or tokens per minute are used up (429 with <c>Retry-After</c>).</summary>
    RateLimited,

    /// <summary>
    /// The state store is unusable and this replica may grant no more of the tenant's budget without it: the spend is
    /// unknown here, or the outage allowance is used up (503 with <c>Retry-After</c>; see <see cref="AccountingOptions"/>).
    /// </summary>
    SpendUnverified,
}

/// <summary>The answer to <see cref="ITenantAccounting.TryAdmitAsync"/>: a reservation, or why there is none.</summary>
public sealed record Admission(AdmissionOutcome Outcome, Reservation? Reservation, TenantSpend Spend)
{
    /// <summary>For <see cref="AdmissionOutcome.RateLimited"/>: when the current window ends.</summary>
    public TimeSpan RetryAfter { get; init; }

    /// <summary>For <see cref="AdmissionOutcome.RateLimited"/>: <c>requests</c> or <c>tokens</c>.</summary>
    public string? LimitedBy { get; init; }

    public bool IsAdmitted => Outcome == AdmissionOutcome.Admitted;

    /// <summary>Whole seconds for a <c>Retry-After</c> header: at least one.</summary>
    public int RetryAfterSeconds => Math.Max(1, (int)Math.Ceiling(RetryAfter.TotalSeconds));
}

/// <summary>Where a reservation lives, so that settling it goes back to the same place.</summary>
public enum ReservationOrigin
{
    InProcess,
    Redis,
}

/// <summary>Cost held for one request in flight. Settled or released exactly once; later calls are ignored.</summary>
public sealed class Reservation(string id, string tenantId, long amountNanos, long rateWindow, int estimatedTokens, ReservationOrigin origin)
{
    private int _completed;

    public string Id { get; } = id;

    public string TenantId { get; } = tenantId;

    public long AmountNanos { get; } = amountNanos;

    public double AmountUsd => UsdNanos.ToUsd(AmountNanos);

    /// <summary>The rate-limit minute the request was admitted in; settlement corrects its token count there.</summary>
    public long RateWindow { get; } = rateWindow;

    public int EstimatedTokens { get; } = estimatedTokens;

    public ReservationOrigin Origin { get; } = origin;

    /// <summary>For a reservation in Redis: the tenant's epoch it was made in (a reservation of a lost epoch is gone).</summary>
    public string? StoreEpoch { get; init; }

    public bool IsCompleted => Volatile.Read(ref _completed) == 1;

    /// <summary>True for the first caller only: settle and release race when a stream is cancelled.</summary>
    internal bool TryComplete() => Interlocked.Exchange(ref _completed, 1) == 0;
}
