using System.Collections.Frozen;
using System.Diagnostics.Metrics;
using System.Net.Http.Headers;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Telemetry;
using ExpertRouter.Gateway.Configuration;

namespace ExpertRouter.Gateway.Capacity;

/// <summary>
/// What every expert can take right now, shared by the planner and the invoker. The planner reads
/// <see cref="Check"/> (a snapshot, no lock, no I/O) to pass over saturated experts up front; the invoker takes a
/// slot where the call is made (<see cref="TryTakeAsync"/>), so fallbacks and ensemble members count too, and
/// settles it with the usage the expert reported. Provider headers (<see cref="ObserveResponse"/>) and first-token
/// times (<see cref="RecordFirstToken"/>) update the state of every expert, with quotas or without.
/// </summary>
public sealed partial class CapacityTracker
{
    private readonly FrozenDictionary<string, ExpertState> _experts;
    private readonly ICapacityStore _store;
    private readonly CapacityOptions _options;
    private readonly TimeProvider _time;
    private readonly CapacityMetrics _metrics;
    private readonly ILogger<CapacityTracker> _logger;
    private readonly bool _anyQuota;
    private int _providerSpoke;

    internal CapacityTracker(
        IEnumerable<ExpertDefinition> experts, ICapacityStore store, CapacityOptions options, TimeProvider time, CapacityMetrics metrics, ILogger<CapacityTracker> logger)
    {
        (_store, _options, _time, _metrics, _logger) = (store, options, time, metrics, logger);
        var shared = store is not InProcessCapacityStore;
        _experts = experts.ToFrozenDictionary(e => e.Id, e => new ExpertState(e, shared, options), StringComparer.Ordinal);
        _anyQuota = _experts.Values.Any(e => e.Loads.Any(l => l.Limits is not null));
        metrics.ObserveGauges(ObserveUse, ObserveLatency);
    }

    /// <summary>
    /// False while no expert has a quota and no provider has limited one: nothing can be over capacity, and the
    /// planner skips the capacity pass altogether.
    /// </summary>
    public bool Active => _anyQuota || Volatile.Read(ref _providerSpoke) != 0;

    /// <summary><c>in-process</c> or <c>redis</c>.</summary>
    public string Store => _store.Name;

    public long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>What a call counts against a token quota before its usage is known: the prompt plus the expert's expected output per answer.</summary>
    public static int EstimateTokens(int promptTokens, int answers, ExpertDefinition expert) => promptTokens + answers * expert.ExpectedOutputTokens;

    /// <summary>Whether the expert can take a request of <paramref name="estimatedTokens"/> now: per base URL, the best one.</summary>
    public CapacityCheck Check(ExpertDefinition expert, int estimatedTokens, long nowMs)
    {
        if (!_experts.TryGetValue(expert.Id, out var state))
        {
            return CapacityCheck.Unlimited;
        }

        var loads = state.Loads;
        var best = loads[0].Check(estimatedTokens, nowMs);
        for (var i = 1; i < loads.Length; i++)
        {
            var check = loads[i].Check(estimatedTokens, nowMs);
            best = (check.Fits, best.Fits) switch
            {
                (true, false) => check,
                (true, true) => check.Headroom > best.Headroom ? check : best,
                (false, false) => check.RetryAfter < best.RetryAfter ? check : best,
                _ => best,
            };
        }

        return best;
    }

    /// <summary>Whether one base URL of an expert with per-base-URL quotas can take the request.</summary>
    public CapacityCheck Check(ExpertDefinition expert, int baseUrl, int estimatedTokens, long nowMs) =>
        Load(expert, baseUrl) is { } load ? load.Check(estimatedTokens, nowMs) : CapacityCheck.Unlimited;

    /// <summary>True when the expert's quotas hold per base URL, so the call's destination decides which quota it takes.</summary>
    public bool PerBaseUrl(ExpertDefinition expert) => _experts.TryGetValue(expert.Id, out var state) && state.PerBaseUrl;

    /// <summary>The p90 of the expert's recent first-token times in ms; null while it has too few recent samples.</summary>
    public double? FirstTokenP90Ms(ExpertDefinition expert, long nowMs) =>
        _experts.TryGetValue(expert.Id, out var state) ? state.Latency.P90(nowMs) : null;

    /// <summary>
    /// Takes a slot for one call about to be sent to <paramref name="baseUrl"/> (ignored unless the quotas are per
    /// base URL). <paramref name="lease"/> bounds the place in flight of a replica that dies mid-call;
    /// <paramref name="afterProviderWait"/> marks a retry that already waited out the provider's Retry-After, which the
    /// block that Retry-After set must not refuse.
    /// </summary>
    public ValueTask<CapacityGrant> TryTakeAsync(ExpertDefinition expert, int baseUrl, int estimatedTokens, TimeSpan lease, bool afterProviderWait = false)
    {
        if (Load(expert, baseUrl) is not { } load)
        {
            return new(CapacityGrant.Free);
        }

        var nowMs = NowMs;
        return load.Limits is null
            ? new(load.TakeLocal(estimatedTokens, nowMs, afterProviderWait))
            : _store.TakeAsync(load, estimatedTokens, lease, nowMs, afterProviderWait);
    }

    /// <summary>Settles a call that was sent: its tokens become what it used (its estimate when unknown).</summary>
    public ValueTask SettleAsync(CapacitySlot? slot, long? usedTokens) =>
        slot is not null && slot.TryComplete() ? _store.SettleAsync(slot, usedTokens ?? slot.EstimatedTokens, NowMs) : ValueTask.CompletedTask;

    /// <summary>Gives back everything a slot took for a call that was never sent.</summary>
    public ValueTask ReleaseAsync(CapacitySlot? slot) =>
        slot is not null && slot.TryComplete() ? _store.ReleaseAsync(slot, NowMs) : ValueTask.CompletedTask;

    /// <summary>Reads what the expert's provider said about its limits, and keeps the expert out until the reset when it said to wait.</summary>
    public void ObserveResponse(ExpertDefinition expert, int baseUrl, HttpResponseHeaders headers, int status, TimeSpan? retryAfter)
    {
        if (ProviderSignal.Read(headers, status, retryAfter) is not { } signal || Load(expert, baseUrl) is not { } load)
        {
            return;
        }

        var nowMs = NowMs;
        Volatile.Write(ref _providerSpoke, 1);
        if (signal.TokensLeft is { } left && signal.TokensReset is { } reset)
        {
            load.ProviderTokens(left, nowMs + (long)reset.TotalMilliseconds);
        }

        if (signal.Block(_options.ProviderBackoff) is { } wait)
        {
            wait = wait > _options.MaxProviderBlock ? _options.MaxProviderBlock : wait;
            if (load.BlockUntil(nowMs + (long)wait.TotalMilliseconds))
            {
                _metrics.ProviderLimited(expert.Id);
                Log.ProviderLimited(_logger, expert.Id, status, wait.TotalSeconds);
                _store.ShareBlock(load, wait);
            }
        }
    }

    /// <summary>Records one call's time to the first byte of the answer.</summary>
    public void RecordFirstToken(ExpertDefinition expert, TimeSpan latency)
    {
        if (_experts.TryGetValue(expert.Id, out var state))
        {
            state.Latency.Record(latency.TotalMilliseconds, NowMs);
            _metrics.FirstToken(expert.Id, latency.TotalMilliseconds);
        }
    }

    /// <summary>Counts an expert left out before a call, by reason (<c>capacity</c>, <c>latency</c>) and stage (<c>plan</c>, <c>call</c>).</summary>
    public void Passed(string expert, string reason, string stage) => _metrics.Passed(expert, reason, stage);

    /// <summary>Counts a request refused because every expert it may use was over capacity.</summary>
    public void Refused() => _metrics.Refused();

    private ExpertLoad? Load(ExpertDefinition expert, int baseUrl) =>
        !_experts.TryGetValue(expert.Id, out var state) ? null
        : state.PerBaseUrl ? (baseUrl >= 0 && baseUrl < state.Loads.Length ? state.Loads[baseUrl] : null)
        : state.Loads[0];

    private IEnumerable<Measurement<double>> ObserveUse()
    {
        var nowMs = NowMs;
        foreach (var (id, state) in _experts)
        {
            foreach (var load in state.Loads.Where(l => l.Limits is not null))
            {
                var (requests, tokens, concurrency) = load.Use(nowMs);
                foreach (var (limit, share) in new[] { ("requests", requests), ("tokens", tokens), ("concurrency", concurrency) })
                {
                    if (share is { } value)
                    {
                        yield return new Measurement<double>(value, new("expert", id), new("base_url", load.BaseUrl), new("limit", limit));
                    }
                }
            }
        }
    }

    private IEnumerable<Measurement<double>> ObserveLatency()
    {
        var nowMs = NowMs;
        foreach (var (id, state) in _experts)
        {
            if (state.Latency.Percentiles(nowMs) is { } p)
            {
                yield return new Measurement<double>(p.P50, new("expert", id), new("quantile", "0.5"));
                yield return new Measurement<double>(p.P90, new("expert", id), new("quantile", "0.9"));
                yield return new Measurement<double>(p.P99, new("expert", id), new("quantile", "0.99"));
            }
        }
    }

    /// <summary>One expert's quotas (one, or one per base URL) and its latency samples.</summary>
    private sealed class ExpertState(ExpertDefinition expert, bool shared, CapacityOptions options)
    {
        public bool PerBaseUrl { get; } = expert.Capacity is { Scope: CapacityScope.BaseUrl, HasLimits: true } && expert.BaseUrls.Count > 1;

        public ExpertLoad[] Loads { get; } = expert.Capacity is { Scope: CapacityScope.BaseUrl, HasLimits: true } && expert.BaseUrls.Count > 1
            ? [.. expert.BaseUrls.Select((_, i) => new ExpertLoad(expert.Id, i, expert.Capacity, shared))]
            : [new ExpertLoad(expert.Id, -1, expert.Capacity, shared)];

        public FirstTokenLatency Latency { get; } = new(options.LatencySamples, (long)options.LatencyWindow.TotalMilliseconds, options.MinLatencySamples);
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.ProviderLimited, LogLevel.Warning, "Expert {Expert} answered {Status} with its provider's limits spent; passed over for {Seconds:F1} s.")]
        public static partial void ProviderLimited(ILogger logger, string expert, int status, double seconds);
    }
}
