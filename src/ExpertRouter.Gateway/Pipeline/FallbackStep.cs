using ExpertRouter.Core.OpenAI;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Resilience;
using ExpertRouter.Gateway.Telemetry;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>
/// Wraps forwarding. While nothing has reached the client, a failed attempt is first retried on the same expert when
/// the failure is transient (see <see cref="UpstreamRetryPipeline"/>), then moves on to the next healthy expert of
/// the ranking whose circuit is not open. When every attempt failed, the client gets an OpenAI error body instead of
/// YARP's empty 502/504. Every attempt's verdict feeds the expert's circuit.
/// </summary>
internal sealed partial class FallbackStep(
    RequestDelegate next,
    IProxyStateLookup proxyState,
    IOptions<GatewayOptions> options,
    GatewayMetrics metrics,
    UpstreamRetryPipeline retry,
    ExpertCircuits circuits,
    TimeProvider time,
    ILogger<FallbackStep> logger)
{
    private readonly int _maxExperts = 1 + options.Value.MaxFallbacks;
    private readonly TimeSpan _maxRetryAfter = TimeSpan.FromSeconds(options.Value.Resilience.MaxRetryAfterSeconds);

    public async Task InvokeAsync(HttpContext context)
    {
        var feature = context.Features.GetRequiredFeature<IExpertRoutingFeature>();
        var attempt = new UpstreamAttempt(_maxRetryAfter);
        context.Features.Set(attempt);
        for (var expertNumber = 1; ; expertNumber++)
        {
            attempt.StartExpert(retry.MaxRetries);
            AttemptOutcome outcome;
            try
            {
                outcome = await retry.ExecuteAsync(
                    static (state, _) => state.Self.AttemptAsync(state.Context, state.Feature, state.Attempt),
                    (Self: this, Context: context, Feature: feature, Attempt: attempt),
                    context.RequestAborted);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                return;
            }

            if (outcome.Result != AttemptResult.Failed)
            {
                return;
            }

            feature.FailedAttempts.Add((outcome.Expert, outcome.Failure!));
            metrics.Fallback(outcome.Expert, outcome.Failure!);
            if (expertNumber >= _maxExperts || !TryNext(context, feature))
            {
                await WriteFinalErrorAsync(context, outcome.Expert, outcome.Failure!);
                return;
            }
        }
    }

    private async ValueTask<AttemptOutcome> AttemptAsync(HttpContext context, IExpertRoutingFeature feature, UpstreamAttempt attempt)
    {
        var expert = feature.Chosen!.Value.Expert.Id;
        if (attempt.TriesOnExpert > 0)
        {
            attempt.RetriesLeft--;
            ResetForNextAttempt(context);
            if (!circuits.TryEnter(expert))
            {
                return new AttemptOutcome(expert, AttemptResult.Failed, AttemptVerdict.Neutral, "CircuitOpen");
            }
        }

        attempt.TriesOnExpert++;
        attempt.RetryAfter = null;
        feature.FallbackReason = null;
        var verdict = AttemptVerdict.Neutral;
        var started = time.GetTimestamp();
        try
        {
            using var span = GatewayMetrics.ActivitySource.StartActivity("upstream");
            span?.SetTag("expertrouter.expert", expert);
            span?.SetTag("expertrouter.attempt", feature.FailedAttempts.Count + 1);
            span?.SetTag("expertrouter.try", attempt.TriesOnExpert);
            await next(context);
            span?.SetTag("http.response.status_code", context.Response.StatusCode);
            var outcome = AttemptOutcome.Classify(context, feature, attempt);
            verdict = outcome.Verdict;
            if (outcome.Result == AttemptResult.Failed)
            {
                span?.SetTag("expertrouter.failure", outcome.Failure);
                Log.AttemptFailed(logger, feature.RequestId, expert, outcome.Failure!, outcome.RetrySameExpert);
            }

            return outcome;
        }
        finally
        {
            feature.UpstreamTime += time.GetElapsedTime(started);
            circuits.Record(expert, verdict);
        }
    }

    private static void ResetForNextAttempt(HttpContext context)
    {
        // Throw away what the failed attempt left on the response, and replay the body from its start.
        context.Response.Clear();
        context.Features.Set<IForwarderErrorFeature>(null);
        context.Request.Body.Position = 0;
    }

    private bool TryNext(HttpContext context, IExpertRoutingFeature feature)
    {
        ResetForNextAttempt(context);
        return UpstreamSelection.TrySelect(context, feature, proxyState, circuits, feature.ChosenRank + 1, expert => Log.Unavailable(logger, feature.RequestId, expert));
    }

    private static Task WriteFinalErrorAsync(HttpContext context, string expert, string failure)
    {
        context.Response.Clear();
        var error = failure is nameof(ForwarderError.RequestTimedOut) or AttemptOutcome.FirstTokenTimeout or AttemptOutcome.TotalTimeout
            ? ApiError.Timeout($"Expert '{expert}' did not answer in time ({failure}).")
            : ApiError.Upstream(StatusCodes.Status502BadGateway, $"Expert '{expert}' could not be reached ({failure}).");
        return ApiErrorWriter.WriteAsync(context, error);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "Request {RequestId}: attempt on {Expert} failed ({Failure}); retry on the same expert: {Retry}.")]
        public static partial void AttemptFailed(ILogger logger, string requestId, string expert, string failure, bool retry);

        [LoggerMessage(EventId = 31, Level = LogLevel.Warning, Message = "Request {RequestId}: fallback skipped {Expert}, no healthy destination or circuit open.")]
        public static partial void Unavailable(ILogger logger, string requestId, string expert);
    }
}
