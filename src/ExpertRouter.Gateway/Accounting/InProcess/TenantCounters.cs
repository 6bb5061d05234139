namespace ExpertRouter.Gateway.Accounting.InProcess;

/// <summary>One tenant's mutable state; every access holds the instance's lock.</summary>
internal sealed class TenantCounters
{
    public readonly Lock Sync = new();

    public long ReservedNanos;

    public readonly Dictionary<string, (long AmountNanos, DateTimeOffset ExpiresAt)> Reservations = new(StringComparer.Ordinal);

    public readonly Dictionary<string, long> SpentByPeriod = new(StringComparer.Ordinal);

    public readonly Dictionary<(DateOnly Day, string Expert), LedgerCounter> Ledger = [];

    public long RateWindow = -1;

    public long WindowRequests;

    public long WindowTokens;

    public LedgerCounter LedgerLine(DateOnly day, string expert)
    {
        if (!Ledger.TryGetValue((day, expert), out var line))
        {
            Ledger[(day, expert)] = line = new LedgerCounter();
        }

        return line;
    }

    public long Spent(string periodKey) => SpentByPeriod.GetValueOrDefault(periodKey);

    public void AddSpend(string periodKey, long nanos)
    {
        SpentByPeriod[periodKey] = Spent(periodKey) + nanos;
        if (SpentByPeriod.Count > 16)
        {
            // Keys sort by date ("d:2026-11-23", "m:2026-11"); the oldest few are never read again.
            foreach (var old in SpentByPeriod.Keys.Order(StringComparer.Ordinal).Take(SpentByPeriod.Count - 8).ToList())
            {
                SpentByPeriod.Remove(old);
            }
        }
    }

    public void EnterWindow(long window)
    {
        if (window != RateWindow)
        {
            RateWindow = window;
            WindowRequests = 0;
            WindowTokens = 0;
        }
    }

    public void SweepExpired(DateTimeOffset now)
    {
        // Removing while enumerating is allowed for Dictionary; no filtered copy per admission.
        foreach (var (id, held) in Reservations)
        {
            if (held.ExpiresAt <= now)
            {
                ReservedNanos -= held.AmountNanos;
                Reservations.Remove(id);
            }
        }
    }
}

internal sealed class LedgerCounter
{
    public long Requests;
    public long PromptTokens;
    public long CompletionTokens;
    public long CostNanos;
    public long CacheHits;
    public long SavedNanos;
}
