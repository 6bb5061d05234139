using System.Collections.Concurrent;

namespace ExpertRouter.Gateway.Accounting;

/// <summary>Whether accounting is degraded, and each tenant's last spend seen in Redis to start local counters from.</summary>
internal sealed class DegradationState
{
    private readonly ConcurrentDictionary<string, TenantSpend> _lastKnown = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _seeded = new(StringComparer.Ordinal);
    private int _degraded;

    public bool IsDegraded => Volatile.Read(ref _degraded) == 1;

    public void Remember(string tenantId, TenantSpend spend) => _lastKnown[tenantId] = spend;

    /// <summary>True for the call that started the outage (it logs).</summary>
    public bool Degrade() => Interlocked.Exchange(ref _degraded, 1) == 0;

    /// <summary>True for the call that ended the outage; local counters start afresh from Redis next time.</summary>
    public bool Recover()
    {
        if (Interlocked.Exchange(ref _degraded, 0) == 0)
        {
            return false;
        }

        _seeded.Clear();
        return true;
    }

    /// <summary>The spend to start a tenant's local counters from, once per outage.</summary>
    public TenantSpend? TakeSeed(string tenantId) =>
        _seeded.TryAdd(tenantId, true) ? _lastKnown.GetValueOrDefault(tenantId) : null;
}
