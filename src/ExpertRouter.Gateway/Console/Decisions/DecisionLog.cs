using ExpertRouter.Core.Routing;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.Invocation;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Routing;

namespace ExpertRouter.Gateway.Console.Decisions;

/// <summary>
/// The console's memory of recent requests: a fixed ring of slots, preallocated at start-up, that the request path
/// fills by copying what the request already holds (values, and references to long-lived objects: the tenant's
/// policy, experts, router names). Nothing is allocated, serialised or retained per request, so a request costs the
/// same whether anyone watches or not, and the request's own objects (body, plan) die young as before. Readers copy
/// slots out under a per-slot sequence number (a seqlock): a slot being written is skipped, never read half-written.
/// </summary>
public sealed class DecisionLog
{
    /// <summary>Ranked candidates and passed-over experts kept per decision; a larger pool is cut, and the cut counted.</summary>
    public const int MaxExperts = 16;

    /// <summary>Failed attempts kept per decision (a request tries at most 1 + MaxFallbacks experts, 3 by default).</summary>
    public const int MaxAttempts = 4;

    private readonly Slot[] _slots;
    private readonly ExpertScore[] _ranking;
    private readonly PassedOver[] _passedOver;
    private readonly Attempt[] _failed;
    private readonly Lock[] _writing;
    private readonly TimeProvider _time;
    private long _next;

    public DecisionLog(int capacity, bool enabled, TimeProvider time)
    {
        Enabled = enabled;
        Capacity = enabled ? capacity : 0;
        _slots = new Slot[Capacity];
        _ranking = new ExpertScore[Capacity * MaxExperts];
        _passedOver = new PassedOver[Capacity * MaxExperts];
        _failed = new Attempt[Capacity * MaxAttempts];
        _writing = [.. Enumerable.Range(0, Capacity).Select(_ => new Lock())];
        // Requests are stamped with the timestamp the telemetry step already takes; wall time is derived when read.
        _time = time;
    }

    /// <summary>False when the console is off: nothing is recorded and the ring holds nothing.</summary>
    public bool Enabled { get; }

    public int Capacity { get; }

    /// <summary>Requests recorded since start-up (the ring keeps the last <see cref="Capacity"/>).</summary>
    public long Total => Interlocked.Read(ref _next);

    /// <summary>Records one finished request. Called once per <c>/v1</c> request by the telemetry step.</summary>
    public void Record(in DecisionInput input)
    {
        if (!Enabled)
        {
            return;
        }

        var sequence = Interlocked.Increment(ref _next);
        var index = (int)((sequence - 1) % Capacity);
        // Writers of one slot take turns: a writer that was preempted long enough to be lapped would otherwise write
        // the same slot as the newer one and mix the two decisions. Uncontended unless lapped; readers never take it.
        lock (_writing[index])
        {
            Write(input, sequence, index);
        }
    }

    private void Write(in DecisionInput input, long sequence, int index)
    {
        ref var slot = ref _slots[index];
        if (Math.Abs(Volatile.Read(ref slot.Sequence)) > sequence)
        {
            // Lapped: the slot holds a newer decision, and this older one is past the ring's reach anyway.
            return;
        }

        // A negative sequence marks the slot as being written; the full fence orders it before the writes below.
        Interlocked.Exchange(ref slot.Sequence, -sequence);
        slot.StartTimestamp = input.StartTimestamp;
        slot.LatencyMs = input.Total.TotalMilliseconds;
        slot.UpstreamMs = input.Upstream.TotalMilliseconds;
        slot.Status = input.Status;
        slot.RequestId = input.RequestId;
        slot.Tenant = input.Tenant;
        slot.Path = input.Request is null ? input.Path : null;
        slot.Endpoint = input.Request?.Endpoint;
        slot.Model = input.Request?.Model;
        slot.Stream = input.Request?.Stream ?? false;
        slot.PromptTokensEstimate = input.Request?.PromptTokens ?? 0;
        var plan = input.Plan;
        slot.Router = plan?.Router;
        slot.RouterVersion = plan?.RouterVersion;
        slot.Ensemble = plan?.Ensemble?.Name;
        slot.Chosen = plan is { Fallbacks.Count: > 0 } ? plan.First : null;
        slot.RankedTotal = plan?.Ranking.Count ?? 0;
        slot.RankedKept = CopyRanking(plan, index * MaxExperts);
        slot.PassedOverTotal = plan?.PassedOver.Count ?? 0;
        slot.PassedOverKept = CopyPassedOver(plan, index * MaxExperts);
        slot.FailedTotal = input.Failed.Count;
        slot.FailedKept = CopyFailed(input.Failed, index * MaxAttempts);
        slot.Answered = input.Answered;
        slot.UsageExpert = input.Usage?.Expert;
        slot.CostUsd = input.Usage?.CostUsd ?? 0;
        slot.PromptTokens = input.Usage?.PromptTokens ?? input.Cache?.PromptTokens ?? 0;
        slot.CompletionTokens = input.Usage?.CompletionTokens ?? input.Cache?.CompletionTokens ?? 0;
        slot.Cache = input.Cache?.Result;
        slot.CacheExpert = input.Cache?.Expert;
        slot.CacheSavedUsd = input.Cache?.SavedUsd ?? 0;
        slot.ExplorationRate = input.ExplorationRate;
        Volatile.Write(ref slot.Sequence, sequence);
    }

    /// <summary>
    /// The recorded decisions that <paramref name="keep"/> accepts, newest first, at most <paramref name="limit"/>.
    /// The filter sees a decision before its experts are copied, so a narrow query copies little.
    /// </summary>
    public List<Decision> Read(Func<DecisionHeader, bool>? keep = null, int limit = int.MaxValue)
    {
        var found = new List<Decision>(Math.Min(limit, Capacity));
        if (!Enabled)
        {
            return found;
        }

        var last = Interlocked.Read(ref _next);
        var nowUtc = _time.GetUtcNow();
        var nowTimestamp = _time.GetTimestamp();
        for (var sequence = last; sequence > 0 && sequence > last - Capacity && found.Count < limit; sequence--)
        {
            var index = (int)((sequence - 1) % Capacity);
            ref var slot = ref _slots[index];
            if (Volatile.Read(ref slot.Sequence) != sequence)
            {
                continue;
            }

            var copy = slot;
            var header = new DecisionHeader(sequence, At(copy.StartTimestamp, nowUtc, nowTimestamp), copy.Tenant?.Id, copy.Router, copy.Status, copy.Cache);
            if (keep is not null && !keep(header))
            {
                continue;
            }

            var decision = new Decision(header, copy, _ranking.AsSpan(index * MaxExperts, copy.RankedKept), _passedOver.AsSpan(index * MaxExperts, copy.PassedOverKept),
                _failed.AsSpan(index * MaxAttempts, copy.FailedKept));
            // The copies above are only good if the writer did not come back meanwhile.
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref slot.Sequence) == sequence)
            {
                found.Add(decision);
            }
        }

        return found;
    }

    /// <summary>Measured back from now on the monotonic clock, so a wall-clock step never reorders decisions.</summary>
    private DateTimeOffset At(long timestamp, DateTimeOffset nowUtc, long nowTimestamp) => nowUtc - _time.GetElapsedTime(timestamp, nowTimestamp);

    private int CopyRanking(RoutingPlan? plan, int offset)
    {
        if (plan is null)
        {
            return 0;
        }

        var ranking = plan.Ranking;
        var kept = Math.Min(ranking.Count, MaxExperts);
        for (var i = 0; i < kept; i++)
        {
            _ranking[offset + i] = ranking[i];
        }

        return kept;
    }

    private int CopyPassedOver(RoutingPlan? plan, int offset)
    {
        if (plan is null)
        {
            return 0;
        }

        var passed = plan.PassedOver;
        var kept = Math.Min(passed.Count, MaxExperts);
        for (var i = 0; i < kept; i++)
        {
            _passedOver[offset + i] = passed[i];
        }

        return kept;
    }

    private int CopyFailed(IReadOnlyList<Attempt> failed, int offset)
    {
        var kept = Math.Min(failed.Count, MaxAttempts);
        for (var i = 0; i < kept; i++)
        {
            _failed[offset + i] = failed[i];
        }

        return kept;
    }

    /// <summary>One request's place in the ring; plain fields, written in place.</summary>
    internal struct Slot
    {
        public long Sequence;
        public long StartTimestamp;
        public double LatencyMs;
        public double UpstreamMs;
        public int Status;
        public string? RequestId;
        public TenantPolicy? Tenant;
        public string? Path;
        public OpenAIEndpoint? Endpoint;
        public string? Model;
        public bool Stream;
        public int PromptTokensEstimate;
        public string? Router;
        public string? RouterVersion;
        public string? Ensemble;
        public ExpertScore? Chosen;
        public int RankedTotal;
        public int RankedKept;
        public int PassedOverTotal;
        public int PassedOverKept;
        public int FailedTotal;
        public int FailedKept;
        public ExpertScore? Answered;
        public string? UsageExpert;
        public double CostUsd;
        public long PromptTokens;
        public long CompletionTokens;
        public string? Cache;
        public string? CacheExpert;
        public double CacheSavedUsd;
        public double? ExplorationRate;
    }
}

/// <summary>What the telemetry step hands over for one finished request: what it already holds, nothing computed.</summary>
public readonly ref struct DecisionInput
{
    public required long StartTimestamp { get; init; }

    public required TimeSpan Total { get; init; }

    public required TimeSpan Upstream { get; init; }

    public required int Status { get; init; }

    public string? RequestId { get; init; }

    public TenantPolicy? Tenant { get; init; }

    /// <summary>The request path, kept only for requests that were not parsed (models, usage, refusals before parsing).</summary>
    public string? Path { get; init; }

    public OpenAIRequest? Request { get; init; }

    public RoutingPlan? Plan { get; init; }

    public ExpertScore? Answered { get; init; }

    public required IReadOnlyList<Attempt> Failed { get; init; }

    public SettledUsage? Usage { get; init; }

    public CacheOutcome? Cache { get; init; }

    public double? ExplorationRate { get; init; }
}

/// <summary>What a query filters on before a decision is copied out.</summary>
public readonly record struct DecisionHeader(long Sequence, DateTimeOffset At, string? Tenant, string? Router, int Status, string? Cache);
