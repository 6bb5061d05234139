using ExpertRouter.Core.Experts;

namespace ExpertRouter.Gateway.Capacity;

/// <summary>
/// One quota's live state: an expert's, or one base URL's when its quotas are per base URL. In process these are
/// the counters themselves; with a shared store they are the counts its last answer gave (the cluster's), which
/// the planner reads as a snapshot and which local counting continues from while the store is unreachable. What
/// the expert's provider said (a block until a reset, tokens left) is kept here too, quotas or not.
/// </summary>
public sealed class ExpertLoad
{
    /// <summary>Counts of requests in flight read from a shared store are trusted this long; older ones say nothing.</summary>
    internal const long InFlightFreshMs = 1_000;

    /// <summary>The wait a concurrency refusal suggests: calls end at any moment, so no reset time is known.</summary>
    internal static readonly TimeSpan ConcurrencyRetry = TimeSpan.FromSeconds(1);

    private readonly Lock _sync = new();
    private readonly bool _shared;
    private long _window = -1;
    private long _requests;
    private long _tokens;
    private long _inFlight;
    private long _inFlightSeenMs;
    private long _blockedUntilMs;
    private long _tokensLeft = long.MaxValue;
    private long _tokensLeftUntilMs;

    internal ExpertLoad(string expertId, int baseUrl, ExpertCapacity? limits, bool shared)
    {
        (ExpertId, BaseUrl, Limits, _shared) = (expertId, baseUrl, limits is { HasLimits: true } ? limits : null, shared);
        KeyPrefix = "er:{x:" + expertId + "}:" + (baseUrl < 0 ? "" : "u" + baseUrl + ":");
    }

    public string ExpertId { get; }

    /// <summary>The base URL's index for a per-base-URL quota; -1 for the expert as a whole.</summary>
    public int BaseUrl { get; }

    /// <summary>The quotas; null when the expert has none (only its provider's signals apply).</summary>
    public ExpertCapacity? Limits { get; }

    /// <summary>The shared store's key prefix, hash-tagged per expert for Redis Cluster: <c>er:{x:&lt;expert&gt;}:</c>.</summary>
    internal string KeyPrefix { get; }

    internal static long Window(long nowMs) => nowMs / 60_000;

    internal static TimeSpan UntilNextWindow(long nowMs) => TimeSpan.FromMilliseconds(60_000 - (nowMs % 60_000));

    /// <summary>Whether a request of <paramref name="estimatedTokens"/> fits now, read without a lock (a snapshot may be a call behind).</summary>
    public CapacityCheck Check(int estimatedTokens, long nowMs)
    {
        if (Provider(estimatedTokens, nowMs) is { } refused)
        {
            return new CapacityCheck(false, 0, refused.RetryAfter);
        }

        if (Limits is not { } limits)
        {
            return CapacityCheck.Unlimited;
        }

        var current = Volatile.Read(ref _window) == Window(nowMs);
        var requests = current ? Volatile.Read(ref _requests) : 0;
        var tokens = current ? Volatile.Read(ref _tokens) : 0;
        var inFlight = !_shared || nowMs - Volatile.Read(ref _inFlightSeenMs) < InFlightFreshMs ? Volatile.Read(ref _inFlight) : 0;
        return Judge(limits, requests, tokens, inFlight, estimatedTokens) is { } limit
            ? new CapacityCheck(false, 0, RetryAfter(limit, nowMs))
            : new CapacityCheck(true, Headroom(limits, requests, tokens, inFlight), TimeSpan.Zero);
    }

    /// <summary>
    /// Takes a slot in process: the counters are this replica's own, or the store's last counts while it is
    /// unreachable. <paramref name="afterProviderWait"/>: a retry that already waited out the provider's Retry-After,
    /// which the block it set must not refuse.
    /// </summary>
    internal CapacityGrant TakeLocal(int estimatedTokens, long nowMs, bool afterProviderWait = false)
    {
        if (!afterProviderWait && Provider(estimatedTokens, nowMs) is { } refused)
        {
            return refused;
        }

        if (Limits is not { } limits)
        {
            return CapacityGrant.Free;
        }

        lock (_sync)
        {
            EnterWindow(Window(nowMs));
            if (Judge(limits, _requests, _tokens, _inFlight, estimatedTokens) is { } limit)
            {
                return CapacityGrant.Refused(limit, RetryAfter(limit, nowMs));
            }

            _requests++;
            _tokens += limits.TokensPerMinute is null ? 0 : estimatedTokens;
            _inFlight += limits.MaxConcurrency is null ? 0 : 1;
            _inFlightSeenMs = nowMs;
            return new CapacityGrant(new CapacitySlot(this, _window, estimatedTokens, null, inStore: false), CapacityLimit.None, TimeSpan.Zero);
        }
    }

    /// <summary>A call ended: its tokens become what it used (in its minute) and its place in flight is freed.</summary>
    internal void SettleLocal(CapacitySlot slot, long usedTokens, long nowMs) => GiveBack(slot, usedTokens - slot.EstimatedTokens, 0, nowMs);

    /// <summary>A call that was never sent: everything it took is given back.</summary>
    internal void ReleaseLocal(CapacitySlot slot, long nowMs) => GiveBack(slot, -slot.EstimatedTokens, -1, nowMs);

    /// <summary>The shared store's counts after one of this replica's calls, newest window first.</summary>
    internal void Observe(long window, long requests, long tokens, long inFlight, long blockedMs, long nowMs)
    {
        lock (_sync)
        {
            if (window >= _window)
            {
                (_window, _requests, _tokens) = (window, requests, tokens);
            }

            (_inFlight, _inFlightSeenMs) = (inFlight, nowMs);
        }

        if (blockedMs > 0)
        {
            BlockUntil(nowMs + blockedMs);
        }
    }

    /// <summary>Keeps the expert out until <paramref name="untilMs"/> (never shortens a block); true when it lengthened one.</summary>
    internal bool BlockUntil(long untilMs)
    {
        var seen = Volatile.Read(ref _blockedUntilMs);
        while (untilMs > seen)
        {
            var was = Interlocked.CompareExchange(ref _blockedUntilMs, untilMs, seen);
            if (was == seen)
            {
                return true;
            }

            seen = was;
        }

        return false;
    }

    /// <summary>The provider's tokens left until <paramref name="untilMs"/>: a request estimated above it waits for the reset.</summary>
    internal void ProviderTokens(long left, long untilMs)
    {
        lock (_sync)
        {
            (_tokensLeft, _tokensLeftUntilMs) = (left, untilMs);
        }
    }

    /// <summary>Share of each configured limit in use now (null where unset), for the quota-use gauge.</summary>
    internal (double? Requests, double? Tokens, double? Concurrency) Use(long nowMs)
    {
        var current = Volatile.Read(ref _window) == Window(nowMs);
        var limits = Limits;
        return (
            limits?.RequestsPerMinute is { } rpm ? (current ? Volatile.Read(ref _requests) : 0) / (double)rpm : null,
            limits?.TokensPerMinute is { } tpm ? (current ? Volatile.Read(ref _tokens) : 0) / (double)tpm : null,
            limits?.MaxConcurrency is { } max ? Volatile.Read(ref _inFlight) / (double)max : null);
    }

    private CapacityGrant? Provider(int estimatedTokens, long nowMs)
    {
        var blocked = Volatile.Read(ref _blockedUntilMs);
        if (blocked > nowMs)
        {
            return CapacityGrant.Refused(CapacityLimit.Provider, TimeSpan.FromMilliseconds(blocked - nowMs));
        }

        var until = Volatile.Read(ref _tokensLeftUntilMs);
        return until > nowMs && Volatile.Read(ref _tokensLeft) < estimatedTokens
            ? CapacityGrant.Refused(CapacityLimit.Provider, TimeSpan.FromMilliseconds(until - nowMs))
            : null;
    }

    // A lone request larger than the whole token quota still goes in an empty minute: refusing it would refuse it forever.
    private static CapacityLimit? Judge(ExpertCapacity limits, long requests, long tokens, long inFlight, int estimatedTokens) =>
        limits.RequestsPerMinute is { } rpm && requests + 1 > rpm ? CapacityLimit.Requests
        : limits.TokensPerMinute is { } tpm && tokens > 0 && tokens + estimatedTokens > tpm ? CapacityLimit.Tokens
        : limits.MaxConcurrency is { } max && inFlight + 1 > max ? CapacityLimit.Concurrency
        : null;

    private static double Headroom(ExpertCapacity limits, long requests, long tokens, long inFlight)
    {
        var headroom = 1.0;
        if (limits.RequestsPerMinute is { } rpm)
        {
            headroom = Math.Min(headroom, (rpm - requests) / (double)rpm);
        }

        if (limits.TokensPerMinute is { } tpm)
        {
            headroom = Math.Min(headroom, Math.Max(0, tpm - tokens) / (double)tpm);
        }

        if (limits.MaxConcurrency is { } max)
        {
            headroom = Math.Min(headroom, (max - inFlight) / (double)max);
        }

        return Math.Max(0, headroom);
    }

    internal static TimeSpan RetryAfter(CapacityLimit limit, long nowMs) =>
        limit == CapacityLimit.Concurrency ? ConcurrencyRetry : UntilNextWindow(nowMs);

    private void EnterWindow(long window)
    {
        if (window != _window)
        {
            (_window, _requests, _tokens) = (window, 0, 0);
        }
    }

    private void GiveBack(CapacitySlot slot, long tokenDelta, int requestDelta, long nowMs)
    {
        if (Limits is not { } limits)
        {
            return;
        }

        lock (_sync)
        {
            if (slot.Window == _window)
            {
                _requests = Math.Max(0, _requests + requestDelta);
                _tokens = limits.TokensPerMinute is null ? _tokens : Math.Max(0, _tokens + tokenDelta);
            }

            if (limits.MaxConcurrency is not null)
            {
                _inFlight = Math.Max(0, _inFlight - 1);
                _inFlightSeenMs = nowMs;
            }
        }
    }
}
