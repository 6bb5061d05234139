namespace ExpertRouter.Gateway.Capacity;

/// <summary>
/// What the snapshot says about one expert for one request, before anything is taken: whether the request fits,
/// how much of its quota is left (0–1, the tightest limit; 1 without limits), and when a refusal ends.
/// </summary>
public readonly record struct CapacityCheck(bool Fits, double Headroom, TimeSpan RetryAfter)
{
    public static readonly CapacityCheck Unlimited = new(true, 1, TimeSpan.Zero);
}

/// <summary>Why a slot was refused; <see cref="None"/> when it was granted.</summary>
public enum CapacityLimit
{
    None,
    Requests,
    Tokens,
    Concurrency,

    /// <summary>The expert's provider said to wait (429, Retry-After, a remaining count of 0).</summary>
    Provider,
}

/// <summary>The outcome of taking a slot: granted (with the slot to settle, null for an expert without quotas) or refused until <see cref="RetryAfter"/>.</summary>
public readonly record struct CapacityGrant(CapacitySlot? Slot, CapacityLimit RefusedBy, TimeSpan RetryAfter)
{
    public bool Granted => RefusedBy == CapacityLimit.None;

    public static CapacityGrant Free => default;

    public static CapacityGrant Refused(CapacityLimit limit, TimeSpan retryAfter) => new(null, limit, retryAfter);
}

/// <summary>
/// One call's hold on an expert's quota, taken before the call is sent: a request in its minute, its estimated tokens,
/// and (with a concurrency limit) a place in flight. Settled once when the call ends, or released when it never went.
/// </summary>
public sealed class CapacitySlot
{
    private int _done;

    internal CapacitySlot(ExpertLoad load, long window, int estimatedTokens, string? leaseId, bool inStore)
    {
        (Load, Window, EstimatedTokens, LeaseId, InStore) = (load, window, estimatedTokens, leaseId, inStore);
    }

    internal ExpertLoad Load { get; }

    /// <summary>The fixed UTC minute the slot counts in.</summary>
    internal long Window { get; }

    internal int EstimatedTokens { get; }

    /// <summary>The concurrency lease's id in the shared store; null without a concurrency limit or when counted in process.</summary>
    internal string? LeaseId { get; }

    /// <summary>Taken in the shared (Redis) store rather than in process.</summary>
    internal bool InStore { get; }

    /// <summary>The expert has a token quota, so the call's real usage is worth reading to settle it.</summary>
    internal bool CountsTokens => Load.Limits?.TokensPerMinute is not null;

    /// <summary>True for the one caller that settles or releases the slot.</summary>
    internal bool TryComplete() => Interlocked.Exchange(ref _done, 1) == 0;
}
