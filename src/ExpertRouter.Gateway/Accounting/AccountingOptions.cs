namespace ExpertRouter.Gateway.Accounting;

public sealed record AccountingOptions
{
    /// <summary>A reservation never settled (its gateway died mid-request) is returned after this long.</summary>
    public TimeSpan ReservationTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long per-day ledger lines are kept in Redis.</summary>
    public TimeSpan LedgerRetention { get; init; } = TimeSpan.FromDays(400);
}
