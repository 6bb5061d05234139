namespace ExpertRouter.Gateway.Accounting;

/// <summary>
/// Usage settled in-process while Redis was unreachable, kept in order so it can be written back when Redis
/// returns. A settlement carries its time so it lands in the right day's ledger.
/// </summary>
internal sealed class AccountingJournal
{
    private readonly Lock _sync = new();
    private List<JournalEntry> _entries = [];

    public int Count
    {
        get
        {
            lock (_sync)
            {
                return _entries.Count;
            }
        }
    }

    public void Add(JournalEntry entry)
    {
        lock (_sync)
        {
            _entries.Add(entry);
        }
    }

    /// <summary>Takes everything recorded so far; entries added meanwhile wait for the next round.</summary>
    public List<JournalEntry> Drain()
    {
        lock (_sync)
        {
            var drained = _entries;
            _entries = [];
            return drained;
        }
    }

    /// <summary>Puts back entries that could not be written, ahead of anything recorded since.</summary>
    public void Restore(IEnumerable<JournalEntry> unwritten)
    {
        lock (_sync)
        {
            _entries.InsertRange(0, unwritten);
        }
    }
}

/// <summary>
/// A settlement (<see cref="Usage"/> set), a cache hit (<see cref="Saving"/> set) or a release of a Redis reservation
/// (neither set).
/// </summary>
internal sealed record JournalEntry(string TenantId, Reservation? Reservation, SettledUsage? Usage, DateTimeOffset At, CacheSaving? Saving = null)
{
    /// <summary>What a replayed settlement is counted once by: its reservation's id, in Redis or in-process.</summary>
    public string SettlementId { get; init; } = "";

    /// <summary>A release for an admission that timed out: it may still land in Redis, so the release outlives it.</summary>
    public bool AdmissionUncertain { get; init; }
}
