using System.Text.Json.Nodes;
using ExpertRouter.Gateway.Resilience;
using Yarp.ReverseProxy;

namespace ExpertRouter.Gateway.Aggregation;

/// <summary>What every sub-call of one ensemble request shares: its id, the per-call deadline and the cache view.</summary>
public sealed record ExpertCallScope(string RequestId, TimeSpan CallTimeout, SubCallCache? Cache, string Prompt);

/// <summary>
/// One ensemble sub-call with what direct traffic gets: the tenant's response cache (looked up first, filled after),
/// the health step's rule (an expert whose circuit is open or that has no healthy destination is skipped, not
/// called), the gateway's same-expert retry pipeline for transient failures within the call's deadline, and every
/// attempt's verdict fed to the expert's circuit so ensemble failures count towards opening it.
/// </summary>
public sealed partial class ExpertCallPipeline
{
    private readonly Func<string, ExpertClient> _clients;
    private readonly IProxyStateLookup _proxyState;
    private readonly ExpertCircuits _circuits;
    private readonly UpstreamRetryPipeline _retry;
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxRetryAfter;
    private readonly ILogger<ExpertCallPipeline> _logger;
    private int _nextDestination;

    internal ExpertCallPipeline(
        Func<string, ExpertClient> clients, IProxyStateLookup proxyState, ExpertCircuits circuits, UpstreamRetryPipeline retry,
        TimeProvider time, TimeSpan maxRetryAfter, ILogger<ExpertCallPipeline> logger)
    {
        (_clients, _proxyState, _circuits, _retry, _time, _maxRetryAfter, _logger) = (clients, proxyState, circuits, retry, time, maxRetryAfter, logger);
    }

    public ExpertClient Client(string expertId) => _clients(expertId);

    /// <summary>A whole answer from <paramref name="expertId"/> for <paramref name="body"/> (an OpenAI chat request).</summary>
    public Task<ExpertCallResult> CompleteAsync(string expertId, JsonObject body, ExpertCallScope scope, CancellationToken cancellationToken) =>
        CallAsync(expertId, body, scope, onContent: null, cancellationToken);

    /// <summary>
    /// The answer streamed: each content delta goes to <paramref name="onContent"/> as it arrives (a cache hit is
    /// handed on whole). A failure before the first delta is retried like any other; after it, the call just fails.
    /// </summary>
    public Task<ExpertCallResult> StreamAsync(
        string expertId, JsonObject body, ExpertCallScope scope, Func<string, CancellationToken, ValueTask> onContent, CancellationToken cancellationToken) =>
        CallAsync(expertId, body, scope, onContent, cancellationToken);

    private async Task<ExpertCallResult> CallAsync(
        string expertId, JsonObject body, ExpertCallScope scope, Func<string, CancellationToken, ValueTask>? onContent, CancellationToken cancellationToken)
    {
        var client = _clients(expertId);
        var expert = client.Expert;
        body["model"] = expert.Id;
        var keys = scope.Cache?.KeysFor(body);
        if (keys is not null && await scope.Cache!.GetAsync(client, keys, cancellationToken).ConfigureAwait(false) is { } hit)
        {
            if (onContent is not null)
            {
                await onContent(hit.Content, cancellationToken).ConfigureAwait(false);
            }

            return hit with { Streamed = onContent is not null };
        }

        if (Unavailable(expert.Id) is { } reason)
        {
            Log.Skipped(_logger, scope.RequestId, expert.Id, reason);
            return new ExpertCallResult(expert, ExpertCallStatus.Skipped, "", 0, 0, reason, TimeSpan.Zero);
        }

        body["model"] = expert.UpstreamModel;
        var attempts = new Attempts(this, client, body, scope.RequestId, onContent, keys is null ? null : new MemoryStream());
        var result = await RunAttemptsAsync(attempts, scope.CallTimeout, cancellationToken).ConfigureAwait(false);
        if (keys is not null && result.Succeeded)
        {
            await StoreAsync(scope, keys, result, attempts.Events).ConfigureAwait(false);
        }

        return result;
    }

    private async Task<ExpertCallResult> RunAttemptsAsync(Attempts attempts, TimeSpan callTimeout, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        using var deadline = new CancellationTokenSource(callTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            await _retry.ExecuteAsync(static (state, token) => state.Owner.AttemptAsync(state, token), attempts, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The ensemble's per-call deadline ran out, during an attempt or while waiting to retry.
            return new ExpertCallResult(attempts.Client.Expert, ExpertCallStatus.TimedOut, "", 0, 0, "call timeout", _time.GetElapsedTime(started))
            {
                Retries = Math.Max(0, attempts.Tries - 1),
                Streamed = attempts.Last?.Streamed ?? false,
            };
        }

        return attempts.Last! with { Retries = attempts.Tries - 1, Elapsed = _time.GetElapsedTime(started) };
    }

    private async ValueTask<AttemptOutcome> AttemptAsync(Attempts attempts, CancellationToken cancellationToken)
    {
        var expert = attempts.Client.Expert.Id;
        if (attempts.Tries > 0 && !_circuits.TryEnter(expert))
        {
            // The circuit opened while this call waited to retry: stop knocking.
            return new AttemptOutcome(expert, AttemptResult.Failed, AttemptVerdict.Neutral, "CircuitOpen");
        }

        attempts.Tries++;
        attempts.Events?.SetLength(0);
        var verdict = AttemptVerdict.Neutral;
        try
        {
            var body = (JsonObject)attempts.Body.DeepClone();
            var destination = Destination(expert);
            var result = attempts.OnContent is null
                ? await attempts.Client.CompleteAsync(body, attempts.RequestId, cancellationToken, destination).ConfigureAwait(false)
                : await attempts.Client.StreamAsync(body, attempts.RequestId, attempts.OnContent, attempts.Events, cancellationToken, destination).ConfigureAwait(false);
            attempts.Last = result;
            verdict = Verdict(result);
            if (result.Succeeded)
            {
                return new AttemptOutcome(expert, AttemptResult.Answered, verdict);
            }

            // Once content reached the client there is no going back, as on the forwarded path.
            var retry = !result.Streamed && attempts.Tries <= _retry.MaxRetries && IsTransient(result);
            Log.AttemptFailed(_logger, attempts.RequestId, expert, result.StatusText, retry);
            return new AttemptOutcome(expert, AttemptResult.Failed, verdict, result.Error, retry, result.RetryAfter);
        }
        finally
        {
            _circuits.Record(expert, verdict);
        }
    }

    private async Task StoreAsync(ExpertCallScope scope, Caching.CacheKeys keys, ExpertCallResult result, MemoryStream? events)
    {
        try
        {
            await scope.Cache!.StoreAsync(keys, result.Expert.Id, result.Body, result.Body is null ? events?.ToArray() : null, scope.Prompt).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The ensemble has its answer; failing to keep a copy must not turn into an error.
            Log.StoreFailed(_logger, scope.RequestId, result.Expert.Id, ex);
        }
    }

    /// <summary>Why the health step would pass over this expert now, or null when a call may go (claims the half-open probe).</summary>
    private string? Unavailable(string expertId)
    {
        if (_proxyState.TryGetCluster(expertId, out var cluster) && cluster.DestinationsState.AvailableDestinations.Count == 0)
        {
            return "unhealthy";
        }

        return _circuits.TryEnter(expertId) ? null : "circuit-open";
    }

    /// <summary>
    /// One of the expert's destinations that YARP's health checks hold available (healthy or not yet known), in
    /// turn; null (the client's own rotation) when the expert has no cluster.
    /// </summary>
    private string? Destination(string expertId)
    {
        if (!_proxyState.TryGetCluster(expertId, out var cluster))
        {
            return null;
        }

        var available = cluster.DestinationsState.AvailableDestinations;
        return available.Count == 0
            ? null
            : available[(int)((uint)Interlocked.Increment(ref _nextDestination) % (uint)available.Count)].Model.Config.Address;
    }

    /// <summary>The forwarded path's reading of an answer: 5xx, transport failures and the expert's own timeouts count against it.</summary>
    private static AttemptVerdict Verdict(ExpertCallResult result) => result switch
    {
        { Succeeded: true } => AttemptVerdict.Healthy,
        { HttpStatus: 429 or 408 } => AttemptVerdict.Neutral,
        { HttpStatus: < 500 } => AttemptVerdict.Healthy,
        _ => AttemptVerdict.Failed,
    };

    /// <summary>The forwarded path's retry rule: 502/503/504, a 429 whose Retry-After fits, or a connection that failed.</summary>
    private bool IsTransient(ExpertCallResult result) => result.HttpStatus is { } status
        ? UpstreamAttempt.IsTransient(status, result.RetryAfter, _maxRetryAfter)
        : result.Status == ExpertCallStatus.Failed;

    /// <summary>One call's attempts so far, handed to the retry pipeline as its state.</summary>
    private sealed class Attempts(
        ExpertCallPipeline owner, ExpertClient client, JsonObject body, string requestId, Func<string, CancellationToken, ValueTask>? onContent, MemoryStream? events)
    {
        public ExpertCallPipeline Owner { get; } = owner;

        public ExpertClient Client { get; } = client;

        public JsonObject Body { get; } = body;

        public string RequestId { get; } = requestId;

        public Func<string, CancellationToken, ValueTask>? OnContent { get; } = onContent;

        public MemoryStream? Events { get; } = events;

        public int Tries { get; set; }

        public ExpertCallResult? Last { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 41, Level = LogLevel.Warning, Message = "Request {RequestId}: ensemble skipped {Expert} ({Reason}).")]
        public static partial void Skipped(ILogger logger, string requestId, string expert, string reason);

        [LoggerMessage(EventId = 42, Level = LogLevel.Warning, Message = "Request {RequestId}: ensemble call to {Expert} failed ({Status}); retry: {Retry}.")]
        public static partial void AttemptFailed(ILogger logger, string requestId, string expert, string status, bool retry);

        [LoggerMessage(EventId = 43, Level = LogLevel.Warning, Message = "Request {RequestId}: the answer of {Expert} could not be stored in the cache.")]
        public static partial void StoreFailed(ILogger logger, string requestId, string expert, Exception exception);
    }
}
