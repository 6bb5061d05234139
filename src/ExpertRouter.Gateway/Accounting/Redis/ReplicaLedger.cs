using System.Collections.Concurrent;

namespace ExpertRouter.Gateway.Accounting.Redis;

/// <summary>
/// What this replica has recorded in Redis in the current UTC month, per tenant: spend per day and the ledger lines.
/// It is this replica's share of the totals Redis holds, given back when Redis is found to have lost them
/// (<see cref="RedisAccountingScripts.Rebuild"/>); with every live replica giving back its share, the spend recorded by
/// live replicas survives a Redis restart without persistence. Lines of earlier months are dropped.
/// </summary>
internal sealed class ReplicaLedger
{
    private readonly ConcurrentDictionary<string, TenantShare> _tenants = new(StringComparer.Ordinal);

    public void Settled(string tenantId, SettledUsage usage, DateTimeOffset at)
    {
        var share = _tenants.GetOrAdd(tenantId, static _ => new TenantShare());
        lock (share)
        {
            share.DropBefore(BudgetPeriod.MonthStart(at));
            var line = share.Line(BudgetPeriod.Day(at), usage.Expert);
            line[0]++;
            line[1] += usage.PromptTokens;
            line[2] += usage.CompletionTokens;
            line[3] += usage.CostNanos;
        }
    }

    public void CacheHit(string tenantId, CacheSaving saving, DateTimeOffset at)
    {
        var share = _tenants.GetOrAdd(tenantId, static _ => new TenantShare());
        lock (share)
        {
            share.DropBefore(BudgetPeriod.MonthStart(at));
            var line = share.Line(BudgetPeriod.Day(at), saving.Expert);
            line[4]++;
            line[5] += saving.SavedNanos;
        }
    }

    /// <summary>This replica's share of the tenant's current day and month, and its ledger lines of this month.</summary>
    public ReplicaShare ShareOf(string tenantId, DateTimeOffset now)
    {
        var entries = new List<LedgerEntry>();
        if (_tenants.TryGetValue(tenantId, out var share))
        {
            lock (share)
            {
                var monthStart = BudgetPeriod.MonthStart(now);
                entries.AddRange(share.Lines.Where(l => l.Key.Day >= monthStart && l.Key.Day <= BudgetPeriod.Day(now))
                    .Select(l => new LedgerEntry(l.Key.Day, l.Key.Expert, l.Value[0], l.Value[1], l.Value[2], l.Value[3], l.Value[4], l.Value[5])));
            }
        }

        var today = BudgetPeriod.Day(now);
        return new ReplicaShare(entries.Where(e => e.Day == today).Sum(e => e.CostNanos), entries.Sum(e => e.CostNanos), entries);
    }

    private sealed class TenantShare
    {
        // requests, prompt tokens, completion tokens, cost nanos, cache hits, saved nanos
        public readonly Dictionary<(DateOnly Day, string Expert), long[]> Lines = [];

        public long[] Line(DateOnly day, string expert)
        {
            if (!Lines.TryGetValue((day, expert), out var line))
            {
                Lines[(day, expert)] = line = new long[6];
            }

            return line;
        }

        private DateOnly _month;

        /// <summary>Drops earlier months' lines when a new month starts; a settlement replayed late from one is kept.</summary>
        public void DropBefore(DateOnly monthStart)
        {
            if (monthStart <= _month)
            {
                return;
            }

            _month = monthStart;
            foreach (var key in Lines.Keys.Where(k => k.Day < monthStart).ToList())
            {
                Lines.Remove(key);
            }
        }
    }
}

/// <summary>One replica's recorded share of a tenant's spend: today, this month, and the month's ledger lines.</summary>
internal sealed record ReplicaShare(long DayNanos, long MonthNanos, IReadOnlyList<LedgerEntry> Ledger);
