namespace ExpertRouter.Gateway.Configuration;

/// <summary>Accounting settings (<c>ExpertRouter:Accounting</c>); see deploy/README.md, "Redis faults", for the guarantee they set.</summary>
public sealed record AccountingOptions
{
    /// <summary>A reservation never settled (its gateway died mid-request) is returned after this long.</summary>
    public TimeSpan ReservationTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long per-day ledger lines are kept in Redis.</summary>
    public TimeSpan LedgerRetention { get; init; } = TimeSpan.FromDays(400);

    /// <summary>
    /// The longest a Redis call may take. Past it the call counts as an outage: served in-process, its outcome
    /// journalled as uncertain (settled or released again, idempotently, once Redis answers), and no further request
    /// waits on Redis until a probe finds it answering again.
    /// </summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Share of a tenant's hard budget one replica may grant while Redis is unusable, on top of the spend it last read
    /// there. Across an outage a budget is exceeded by at most this share times the replicas that knew the tenant.
    /// </summary>
    public double OutageAllowanceFraction { get; init; } = 0.1;

    /// <summary>
    /// The same for a tenant whose spend this replica has not read since it started (it started during the outage).
    /// 0, the default, refuses such a tenant's budgeted requests (503, Retry-After) until Redis answers, so restarts
    /// and new replicas never grant a budget again.
    /// </summary>
    public double UnknownSpendAllowanceFraction { get; init; }

    /// <summary>Every problem with these settings, each naming its configuration key.</summary>
    public IEnumerable<string> Validate()
    {
        const string Section = "ExpertRouter:Accounting:";
        if (ReservationTimeout <= TimeSpan.Zero)
        {
            yield return Section + "ReservationTimeout: must be positive.";
        }

        if (LedgerRetention < TimeSpan.FromDays(1))
        {
            yield return Section + "LedgerRetention: must be at least one day.";
        }

        if (CommandTimeout <= TimeSpan.Zero || CommandTimeout > TimeSpan.FromSeconds(30))
        {
            yield return Section + "CommandTimeout: must be between 0 and 30 seconds.";
        }

        if (OutageAllowanceFraction is < 0 or > 1 || double.IsNaN(OutageAllowanceFraction))
        {
            yield return Section + "OutageAllowanceFraction: must be between 0 and 1.";
        }

        if (UnknownSpendAllowanceFraction is < 0 or > 1 || double.IsNaN(UnknownSpendAllowanceFraction))
        {
            yield return Section + "UnknownSpendAllowanceFraction: must be between 0 and 1.";
        }
    }
}
