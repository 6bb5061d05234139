using System.Globalization;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.OpenAI;
using ExpertRouter.Core.Telemetry;
using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Capacity;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Invocation;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.OpenAI.Usage;
using ExpertRouter.Gateway.Routing;
using ExpertRouter.Gateway.Telemetry;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>
/// The last step of a single-expert plan: forwards the request through <see cref="ExpertInvoker"/> to the plan's
/// experts in fallback order, streaming the answer to the client, and reads the answer's usage on the way for the
/// budget. A stream asks the expert for usage even when the client did not (the extra chunk is hidden again). When
/// every expert failed the client gets OpenAI's error envelope, saying who was tried; when every expert was over
/// capacity, a 429 with the earliest reset; when a stream breaks after its first byte it ends with an explicit error
/// event instead of a silently cut answer.
/// </summary>
internal sealed partial class ForwardStep(
    RequestDelegate next, ExpertInvoker invoker, IOptions<GatewayOptions> options, GatewayMetrics metrics, ILogger<ForwardStep> logger,
    CapacityTracker? capacity = null)
{
    private readonly int _maxExperts = 1 + options.Value.MaxFallbacks;

    public async Task InvokeAsync(HttpContext context)
    {
        _ = next;
        var feature = context.Features.GetRequiredFeature<IExpertRoutingFeature>();
        var request = feature.Request!;
        var hideUsage = request.Stream && !request.StreamIncludeUsage;
        if (StreamUsageRequest.Needed(request))
        {
            feature.Request = request = StreamUsageRequest.WithIncludeUsage(request);
        }

        var original = context.Response.Body;
        var capture = request.Stream ? null : new UsageCaptureStream(original);
        var filter = request.Stream ? new StreamUsageFilter(original, hideUsage) : null;
        context.Response.Body = (Stream?)capture ?? filter!;
        using var streamGuard = request.Stream ? StreamBreakGuard.Install(context) : null;
        InvocationResult? result = null;
        try
        {
            result = await invoker.InvokeAsync(context, Call(context, feature, request, (IUsageSource?)capture ?? filter), context.RequestAborted);
            if (filter is not null && result.AnsweredBy is not null && !result.BrokenMidway)
            {
                await filter.CompleteAsync(context.RequestAborted);
            }
        }
        finally
        {
            context.Response.Body = original;
            var usage = capture?.Usage ?? filter?.Usage;
            capture?.Dispose();
            Record(context, feature, result, usage);
        }

        await FinishAsync(context, feature, result, streamGuard);
    }

    private ExpertCall Call(HttpContext context, IExpertRoutingFeature feature, OpenAIRequest request, IUsageSource? usage)
    {
        var fallbacks = feature.Plan!.Fallbacks;
        var experts = new ExpertDefinition[fallbacks.Count];
        for (var i = 0; i < experts.Length; i++)
        {
            experts[i] = fallbacks[i].Expert;
        }

        return new ExpertCall
        {
            RequestId = feature.RequestId,
            TenantId = feature.Tenant.Id,
            Experts = experts,
            MaxExperts = _maxExperts,
            Path = OpenAIPaths.Upstream(request.Endpoint),
            Body = request.Body,
            ModelToken = request.ModelToken,
            Native = context.Features.Get<ClientProtocolExchange>()?.Native,
            OnRelaying = RelayHeaders,
            PromptTokens = request.PromptTokens,
            Answers = request.Endpoint == OpenAIEndpoint.Embeddings ? 0 : request.Choices,
            Usage = usage,
        };
    }

    /// <summary>The answer's headers: who answered, who decided, what failed first, what the router predicted.</summary>
    private static void RelayHeaders(HttpContext context, ExpertDefinition expert, IReadOnlyList<Attempt> failed)
    {
        var feature = context.Features.GetRequiredFeature<IExpertRoutingFeature>();
        if (context.Features.Get<ClientProtocolExchange>() is { } exchange)
        {
            // Decided per attempt: a fallback to an expert that speaks only chat is translated back as ever.
            exchange.PassThrough = exchange.Native?.IsFor(expert) == true;
        }

        var headers = context.Response.Headers;
        headers[GatewayHeaders.Expert] = expert.Id;
        headers[GatewayHeaders.Router] = feature.Plan!.Router;
        headers[GatewayHeaders.RequestId] = feature.RequestId;
        if (failed.Count > 0 || feature.Plan.Bypassed.Count > 0)
        {
            headers[GatewayHeaders.Fallbacks] = FallbackList(feature.Plan, failed);
        }

        if (ScoreOf(feature.Plan, expert) is { PredictedQuality: var quality } && !double.IsNaN(quality))
        {
            headers[GatewayHeaders.PredictedQuality] = quality.ToString("F4", CultureInfo.InvariantCulture);
        }
    }

    private void Record(HttpContext context, IExpertRoutingFeature feature, InvocationResult? result, UsageReport? usage)
    {
        var outcome = feature.Outcome;
        if (result is null)
        {
            return;
        }

        outcome.UpstreamTime += result.UpstreamTime;
        outcome.Failed = result.Failed;
        if (result.AnsweredBy is not { } expert || ScoreOf(feature.Plan!, expert) is not { } score)
        {
            return;
        }

        outcome.Answered = score;
        var served = context.Response.StatusCode is >= 200 and < 300;
        if (!served && usage is null)
        {
            return;
        }

        if (usage is { } report)
        {
            outcome.Usage = new SettledUsage(expert.Id, report.PromptTokens, report.CompletionTokens, expert.CostUsd(report.PromptTokens, report.CompletionTokens));
            return;
        }

        Log.UsageMissing(logger, feature.RequestId, expert.Id);
        var request = feature.Request!;
        outcome.Usage = new SettledUsage(expert.Id, request.PromptTokens, expert.ExpectedOutputTokens, RequestCost.ExpectedCostUsd(request, expert));
    }

    private async Task FinishAsync(HttpContext context, IExpertRoutingFeature feature, InvocationResult? result, StreamBreakGuard? guard)
    {
        if (result is null || result.ClientGone)
        {
            return;
        }

        if (result.BrokenMidway)
        {
            var last = result.Last!.Value;
            metrics.StreamInterrupted(last.Expert);
            if (guard is not null && !context.RequestAborted.IsCancellationRequested)
            {
                Log.StreamBroken(logger, feature.RequestId, last.Expert, last.Reason);
                var error = StreamErrorEvent.Interrupted(last.Expert, BreakCause(last));
                await (context.Features.Get<ClientProtocolExchange>() is { PassThrough: true } exchange
                    ? StreamErrorEvent.WriteAsync(context, exchange.NativeStreamErrorEvent(error))
                    : StreamErrorEvent.WriteAsync(context, error));
                return;
            }

            context.Abort();
            return;
        }

        if (result.AnsweredBy is not null)
        {
            guard?.AbortIfRequested();
            return;
        }

        if (result.OverCapacity)
        {
            await RefuseOverCapacityAsync(context, feature, result);
            return;
        }

        if (result.NoneAvailable)
        {
            await ApiErrorWriter.WriteAsync(context, ApiError.NoExpertAvailable("No healthy expert can take this request right now; retry shortly."));
            return;
        }

        // Every expert tried failed before its first byte: say who was tried, as an answer would have.
        var final = result.Last!.Value;
        context.Response.Clear();
        context.Response.Headers[GatewayHeaders.Expert] = final.Expert;
        context.Response.Headers[GatewayHeaders.Router] = feature.Plan!.Router;
        context.Response.Headers[GatewayHeaders.RequestId] = feature.RequestId;
        context.Response.Headers[GatewayHeaders.Fallbacks] = FallbackList(feature.Plan, result.Failed);
        await ApiErrorWriter.WriteAsync(context, final.TimedOut
            ? ApiError.Timeout($"Expert '{final.Expert}' did not answer in time ({final.Reason}).")
            : ApiError.Upstream(StatusCodes.Status502BadGateway, $"Expert '{final.Expert}' could not be reached ({final.Reason})."));
    }

    /// <summary>Why a stream broke, in words a client can act on rather than the forwarder's names.</summary>
    private static string BreakCause(Attempt broken) => broken.Error switch
    {
        ForwarderError.ResponseBodyDestination => "the expert's connection closed mid-answer",
        // Past the first byte only the total limit (TotalTimeout) can cancel the copy; a client that left is not told anything.
        ForwarderError.ResponseBodyCanceled => "the expert exceeded its total time limit (TotalTimeout)",
        _ => "the expert stopped answering",
    };

    /// <summary>Every expert was over capacity (its quota, or its provider's 429): a 429 that says when the earliest one frees up.</summary>
    private async Task RefuseOverCapacityAsync(HttpContext context, IExpertRoutingFeature feature, InvocationResult result)
    {
        var seconds = (int)Math.Clamp(Math.Ceiling(result.CapacityRetryAfter!.Value.TotalSeconds), 1, int.MaxValue);
        capacity?.Refused();
        Log.OverCapacity(logger, feature.RequestId, seconds);
        context.Response.Clear();
        context.Response.Headers[GatewayHeaders.Router] = feature.Plan!.Router;
        context.Response.Headers[GatewayHeaders.RequestId] = feature.RequestId;
        context.Response.Headers[GatewayHeaders.Fallbacks] = FallbackList(feature.Plan, result.Failed);
        await ApiErrorWriter.WriteAsync(context, ApiError.RateLimited(
            $"Every expert this request may use is at its capacity right now. Retry after {seconds} s.", seconds));
    }

    /// <summary>The experts left behind, as <c>expert;reason</c>: those passed over ahead of the first choice, then each failed attempt.</summary>
    private static string FallbackList(RoutingPlan plan, IReadOnlyList<Attempt> failed) =>
        string.Join(",", plan.Bypassed.Select(p => p.Expert + ";" + p.Reason.Name())
            .Concat(failed.Where(a => a.Outcome != AttemptOutcome.BrokenMidway).Select(a => a.Expert + ";" + a.Reason)));

    private static Core.Routing.ExpertScore? ScoreOf(RoutingPlan plan, ExpertDefinition expert)
    {
        // By index: foreach over the interface boxes the list's enumerator, twice a request.
        var fallbacks = plan.Fallbacks;
        for (var i = 0; i < fallbacks.Count; i++)
        {
            if (ReferenceEquals(fallbacks[i].Expert, expert))
            {
                return fallbacks[i];
            }
        }

        return null;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.UsageMissing, Level = LogLevel.Warning, Message = "Request {RequestId}: {Expert} answered without usage; settled its expected cost instead.")]
        public static partial void UsageMissing(ILogger logger, string requestId, string expert);

        [LoggerMessage(EventId = LogEvents.CapacityRefused, Level = LogLevel.Information, Message = "Request {RequestId}: every expert it may use is over capacity; refused with Retry-After {Seconds} s.")]
        public static partial void OverCapacity(ILogger logger, string requestId, int seconds);

        [LoggerMessage(EventId = LogEvents.StreamBroken, Level = LogLevel.Warning, Message = "Request {RequestId}: stream from {Expert} broke after the first byte ({Cause}); ended with an error event.")]
        public static partial void StreamBroken(ILogger logger, string requestId, string expert, string cause);
    }
}
