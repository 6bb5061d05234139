using System.Collections.Concurrent;

namespace ExpertRouter.Gateway.Accounting;

/// <summary>
/// Whether accounting is degraded (and whether because Redis stopped answering rather than disconnected), and each
/// tenant's last spend read from Redis, to start local counters from and to bound what an outage may grant.
/// </summary>
internal sealed class DegradationState
{
    private readonly ConcurrentDictionary<string, KnownSpend> _lastKnown = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _seeded = new(StringComparer.Ordinal);
    private int _degraded;
    private int _hung;
    private int _probeTimeouts;

    public bool IsDegraded => Volatile.Read(ref _degraded) == 1;

    /// <summary>Degraded because probes timed out on a connected Redis: only probes may try it again.</summary>
    public bool IsHung => Volatile.Read(ref _hung) == 1;

    public void Remember(string tenantId, TenantSpend spend, DateTimeOffset at) => _lastKnown[tenantId] = new KnownSpend(spend, at);

    /// <summary>The spend last read from Redis for the tenant by this process; null when it never read any.</summary>
    public KnownSpend? Known(string tenantId) => _lastKnown.GetValueOrDefault(tenantId);

    /// <summary>True for the call that started the outage (it logs).</summary>
    public bool Degrade(bool hung)
    {
        if (hung)
        {
            Volatile.Write(ref _hung, 1);
        }

        return Interlocked.Exchange(ref _degraded, 1) == 0;
    }

    /// <summary>
    /// A probe got no answer in time; true from the second in a row on, when the store counts as hung. One late PING
    /// on a loaded host is not a hang, and calling it one would keep every request off a store that is answering.
    /// </summary>
    public bool ProbeTimedOut() => Interlocked.Increment(ref _probeTimeouts) >= 2;

    /// <summary>Redis answered a probe: requests may try it again (reconciling first).</summary>
    public void Answered()
    {
        Volatile.Write(ref _probeTimeouts, 0);
        Volatile.Write(ref _hung, 0);
    }

    /// <summary>True for the call that ended the outage; local counters start afresh from Redis next time.</summary>
    public bool Recover()
    {
        Volatile.Write(ref _hung, 0);
        if (Interlocked.Exchange(ref _degraded, 0) == 0)
        {
            return false;
        }

        _seeded.Clear();
        return true;
    }

    /// <summary>The spend to start a tenant's local counters from, once per outage.</summary>
    public KnownSpend? TakeSeed(string tenantId) =>
        _seeded.TryAdd(tenantId, true) ? _lastKnown.GetValueOrDefault(tenantId) : null;
}

/// <summary>A tenant's spend as read from Redis, and when.</summary>
internal sealed record KnownSpend(TenantSpend Spend, DateTimeOffset At);
