using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Telemetry;
using ExpertRouter.Gateway.Capacity;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Telemetry;
using Yarp.ReverseProxy.Forwarder;

namespace ExpertRouter.Gateway.Invocation;

/// <summary>
/// The one way the gateway calls an expert, whether it forwards a client's request or makes a background call: for
/// each expert of the call in turn it checks the expert has a healthy destination and a circuit that lets the attempt
/// through, picks the destination by the cluster's load-balancing policy, sends through YARP's forwarder under the
/// expert's first-token and total limits, classifies the attempt into one <see cref="AttemptOutcome"/>, feeds the
/// circuits and YARP's passive health, retries a transient failure on the same expert while nothing reached the
/// consumer, and otherwise moves on to the next expert. The answer streams into <see cref="HttpContext.Response"/>.
/// With a <see cref="CapacityTracker"/>, each attempt first takes a slot of the expert's quota and settles it when it
/// ends, and an expert over capacity is passed over without a call (ExpertInvoker.Capacity.cs).
/// </summary>
public sealed partial class ExpertInvoker
{
    private readonly IHttpForwarder _forwarder;
    private readonly ExpertDestinations _destinations;
    private readonly ExpertCircuits _circuits;
    private readonly ExpertTimeoutTable _timeouts;
    private readonly UpstreamRetryPipeline _retry;
    private readonly ExpertTransformer _transformer;
    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxRetryAfter;
    private readonly ILogger<ExpertInvoker> _logger;
    private readonly CapacityTracker? _capacity;
    private readonly ConditionalWeakTable<ExpertDefinition, byte[]> _modelTokens = new();

    internal ExpertInvoker(
        IHttpForwarder forwarder, ExpertDestinations destinations, ExpertCircuits circuits, ExpertTimeoutTable timeouts, UpstreamRetryPipeline retry,
        ExpertTransformer transformer, GatewayMetrics metrics, TimeProvider time, TimeSpan maxRetryAfter, ILogger<ExpertInvoker> logger,
        CapacityTracker? capacity = null)
    {
        (_forwarder, _destinations, _circuits, _timeouts, _retry, _transformer) = (forwarder, destinations, circuits, timeouts, retry, transformer);
        (_metrics, _time, _maxRetryAfter, _logger, _capacity) = (metrics, time, maxRetryAfter, logger, capacity);
    }

    /// <summary>
    /// Calls the experts of <paramref name="call"/> until one answers into <paramref name="context"/>'s response. On
    /// failure nothing has been written to the response, unless <see cref="AttemptOutcome.BrokenMidway"/> says part of
    /// an answer was.
    /// </summary>
    public async Task<InvocationResult> InvokeAsync(HttpContext context, ExpertCall call, CancellationToken cancellationToken)
    {
        var state = new InvocationState(call, _maxRetryAfter);
        context.Features.Set(state);
        var started = _time.GetTimestamp();
        Attempt? last = null;
        Attempt? skipped = null;
        try
        {
            for (var index = 0; index < call.Experts.Count && state.ExpertsTried < call.MaxExperts; index++)
            {
                var expert = call.Experts[index];
                if (OverCapacity(state, expert) is { } full)
                {
                    skipped = PassOver(state, full);
                    continue;
                }

                if (Unavailable(expert.Id, call.TenantId) is { } unavailable)
                {
                    skipped = new Attempt(expert.Id, unavailable);
                    Log.PassedOver(_logger, call.RequestId, expert.Id, skipped.Value.Reason);
                    continue;
                }

                state.StartExpert(expert, index, _retry.MaxRetries);
                // The first attempt is awaited here rather than through the retry pipeline's ExecuteAsync: one async
                // frame fewer a request, and the pipeline only for the rare attempt that asks for a retry.
                var attempt = await AttemptAsync(context, state, cancellationToken).ConfigureAwait(false);
                if (_retry.NeedsRetry(attempt))
                {
                    attempt = await _retry.RetryAsync(
                        attempt, static (s, token) => s.Invoker.AttemptAsync(s.Context, s.State, token), (Invoker: this, Context: context, State: state), cancellationToken)
                        .ConfigureAwait(false);
                }

                if (attempt.Outcome == AttemptOutcome.OverCapacity)
                {
                    // Its last slot went to another call (here or on another replica) since the plan looked: never sent.
                    state.NotSent();
                    skipped = PassOver(state, attempt);
                    ResetResponse(context);
                    continue;
                }

                last = attempt;
                if (!attempt.Failed)
                {
                    return Result(state, attempt.Outcome == AttemptOutcome.Answered ? expert : null, attempt, started);
                }

                NoteProviderLimit(state, attempt);
                state.AddFailed(attempt);
                _metrics.Fallback(expert.Id, attempt.Reason);
                if (attempt.Outcome == AttemptOutcome.BrokenMidway)
                {
                    // Part of this expert's answer reached the consumer: it answered, if not to the end.
                    return Result(state, expert, attempt, started);
                }

                ResetResponse(context);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested || context.RequestAborted.IsCancellationRequested)
        {
            last = new Attempt(state.Expert?.Id ?? "", AttemptOutcome.ClientGone);
        }
        finally
        {
            context.Features.Set<InvocationState>(null);
        }

        // The last expert actually tried says what went wrong; only when none could be tried does a skip.
        return Result(state, null, last ?? skipped, started) with { TriesOnLast = Math.Max(1, state.TriesOnExpert) };
    }

    private InvocationResult Result(InvocationState state, ExpertDefinition? answeredBy, Attempt? last, long started) =>
        new(answeredBy, state.Failed, last, _time.GetElapsedTime(started), state.TriesOnExpert) { CapacityRetryAfter = state.CapacityWait };

    /// <summary>Why the expert cannot be tried now, or null when it can (a half-open circuit's probe is then claimed).</summary>
    private AttemptOutcome? Unavailable(string expertId, string tenantId) =>
        !_destinations.HasAvailable(expertId) ? AttemptOutcome.NoDestination
        : !_circuits.TryEnter(expertId, tenantId) ? AttemptOutcome.CircuitOpen
        : null;

    private async ValueTask<Attempt> AttemptAsync(HttpContext context, InvocationState state, CancellationToken cancellationToken)
    {
        var expert = state.Expert;
        var tenant = state.Call.TenantId;
        if (state.TriesOnExpert > 0)
        {
            state.RetriesLeft--;
            ResetResponse(context);
            if (!_circuits.TryEnter(expert.Id, tenant))
            {
                return new Attempt(expert.Id, AttemptOutcome.CircuitOpen);
            }
        }

        state.TriesOnExpert++;
        (state.RetryAfter, state.HeldBack, state.HeadersAt) = (null, null, null);
        if (!_destinations.TryPick(context, expert.Id, out var destination))
        {
            _circuits.Record(expert.Id, tenant, AttemptVerdict.Neutral);
            return new Attempt(expert.Id, AttemptOutcome.NoDestination);
        }

        var (grant, taken) = await TakeSlotAsync(state, destination).ConfigureAwait(false);
        if (!grant.Granted)
        {
            _circuits.Record(expert.Id, tenant, AttemptVerdict.Neutral);
            return Refused(state, grant);
        }

        (destination, state.Slot, state.BaseUrl) = (taken, grant.Slot, BaseUrlOf(taken.State));

        SetRequestBody(context.Request, state, expert);
        var limits = _timeouts.For(expert.Id);
        if (state.Call.MaxAttemptTime is { } cap && cap < limits.Total)
        {
            limits = limits with { Total = cap };
        }

        var started = _time.GetTimestamp();
        using var deadline = new AttemptDeadline(cancellationToken, limits, _time);
        // The answer's first byte ends the first-token wait; a later attempt's callback finds its deadline disposed.
        context.Response.OnStarting(static s => ((AttemptDeadline)s).FirstByteSent(), deadline);
        var attempt = new Attempt(expert.Id, AttemptOutcome.ClientGone);
        using var span = StartUpstreamSpan(context.Request);
        try
        {
            span?.SetTag("expertrouter.expert", expert.Id);
            span?.SetTag("expertrouter.attempt", state.Failed.Count + 1);
            span?.SetTag("expertrouter.try", state.TriesOnExpert);
            ForwarderError error;
            using (_destinations.Enter(destination))
            {
                error = await _forwarder.SendAsync(context, destination.Address, destination.Client, destination.RequestConfig, _transformer, deadline.Token)
                    .ConfigureAwait(false);
            }

            _destinations.Proxied(context, destination);
            span?.SetTag("http.response.status_code", context.Response.StatusCode);
            attempt = Classify(context, state, error, deadline.ExpiredBy, cancellationToken);
            if (attempt.Failed)
            {
                span?.SetTag("expertrouter.failure", attempt.Reason);
                Log.AttemptFailed(_logger, state.Call.RequestId, expert.Id, attempt.Reason, attempt.RetrySameExpert);
            }

            return attempt;
        }
        finally
        {
            _circuits.Record(expert.Id, tenant, attempt.Verdict);
            state.PreviousTry = attempt;
            await FinishSlotAsync(context, state, attempt, started).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The attempt's span. Without a span of the request's own (hosting starts none unless asked), it joins the caller's
    /// trace from the incoming <c>traceparent</c>, so the header the expert receives still names the caller's trace.
    /// </summary>
    private static Activity? StartUpstreamSpan(HttpRequest request) =>
        Activity.Current is null && ActivityContext.TryParse(request.Headers["traceparent"], request.Headers["tracestate"], out var caller)
            ? GatewayMetrics.ActivitySource.StartActivity("upstream", ActivityKind.Client, caller)
            : GatewayMetrics.ActivitySource.StartActivity("upstream", ActivityKind.Client);

    private static Attempt Classify(HttpContext context, InvocationState state, ForwarderError error, AttemptOutcome? expired, CancellationToken cancellationToken)
    {
        var expert = state.Expert.Id;
        var status = context.Response.StatusCode;
        if (context.RequestAborted.IsCancellationRequested || (cancellationToken.IsCancellationRequested && expired is null))
        {
            return new Attempt(expert, AttemptOutcome.ClientGone, status, error);
        }

        if (context.Response.HasStarted)
        {
            var broken = expired is not null || error is ForwarderError.ResponseBodyDestination or ForwarderError.ResponseBodyCanceled;
            return new Attempt(expert, broken ? AttemptOutcome.BrokenMidway : AttemptOutcome.Answered, status, error);
        }

        if (expired is { } timeout)
        {
            return new Attempt(expert, timeout, status, error);
        }

        if (state.HeldBack is { } held)
        {
            return new Attempt(expert, AttemptOutcome.RetryableStatus, held, error, state.WillRetry(held), state.RetryAfter);
        }

        return error switch
        {
            ForwarderError.None => new Attempt(expert, AttemptOutcome.Answered, status),
            ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient =>
                new Attempt(expert, AttemptOutcome.ClientGone, status, error),
            // Refused, reset or unreachable before any answer: the kind of failure a second knock often cures.
            ForwarderError.Request => new Attempt(expert, AttemptOutcome.TransportFailed, status, error, state.RetriesLeft > 0),
            _ => new Attempt(expert, AttemptOutcome.TransportFailed, status, error),
        };
    }

    /// <summary>Throws away what a failed attempt left on the response, so the next one starts clean.</summary>
    private static void ResetResponse(HttpContext context)
    {
        if (!context.Response.HasStarted)
        {
            context.Response.Clear();
            context.Features.Get<BackgroundResponse>()?.Reset();
        }

        context.Features.Set<IForwarderErrorFeature>(null);
    }

    private void SetRequestBody(HttpRequest request, InvocationState state, ExpertDefinition expert)
    {
        var (source, modelToken) = state.Native is { } native ? (native.Body, native.ModelToken) : (state.Call.Body, state.Call.ModelToken);
        var body = modelToken is { } token ? WithModel(source, token, expert) : new ReadOnlyMemoryStream(source);
        request.Body = body;
        request.ContentLength = body.Length;
        request.Headers.TransferEncoding = default;
    }

    /// <summary>
    /// The body with its <c>model</c> token replaced by the expert's backend model name, when that differs: read as the
    /// bytes around the token and the new token, so a routed request copies no more of its body than an explicit one.
    /// </summary>
    private ReadOnlyMemoryStream WithModel(ReadOnlyMemory<byte> body, Range token, ExpertDefinition expert)
    {
        var model = _modelTokens.GetValue(expert, static e => Encoding.UTF8.GetBytes("\"" + JsonEncodedText.Encode(e.UpstreamModel).Value + "\""));
        var (start, length) = token.GetOffsetAndLength(body.Length);
        return body.Span.Slice(start, length).SequenceEqual(model)
            ? new ReadOnlyMemoryStream(body)
            : new ReadOnlyMemoryStream(body[..start], model, body[(start + length)..]);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.AttemptFailed, Level = LogLevel.Warning, Message = "Request {RequestId}: attempt on {Expert} failed ({Failure}); retry on the same expert: {Retry}.")]
        public static partial void AttemptFailed(ILogger logger, string requestId, string expert, string failure, bool retry);

        [LoggerMessage(EventId = LogEvents.ExpertPassedOver, Level = LogLevel.Warning, Message = "Request {RequestId}: passed over {Expert} ({Reason}).")]
        public static partial void PassedOver(ILogger logger, string requestId, string expert, string reason);
    }
}
