using ExpertRouter.Core.OpenAI;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Telemetry;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>
/// Wraps forwarding. While nothing has reached the client, a failed attempt (transport error, timeout, or a 429/5xx
/// answer that <see cref="ForwardingTransforms"/> held back) moves on to the next healthy expert of the ranking.
/// When every attempt failed, the client gets an OpenAI error body instead of YARP's empty 502/504.
/// </summary>
internal sealed partial class FallbackStep(
    RequestDelegate next,
    IProxyStateLookup proxyState,
    IOptions<GatewayOptions> options,
    GatewayMetrics metrics,
    TimeProvider time,
    ILogger<FallbackStep> logger)
{
    private readonly int _maxAttempts = 1 + options.Value.MaxFallbacks;

    public async Task InvokeAsync(HttpContext context)
    {
        var feature = context.Features.GetRequiredFeature<IExpertRoutingFeature>();
        for (var attempt = 1; ; attempt++)
        {
            feature.FallbackReason = null;
            var started = time.GetTimestamp();
            using (var span = GatewayMetrics.ActivitySource.StartActivity("upstream"))
            {
                span?.SetTag("expertrouter.expert", feature.Chosen!.Value.Expert.Id);
                span?.SetTag("expertrouter.attempt", attempt);
                await next(context);
                span?.SetTag("http.response.status_code", context.Response.StatusCode);
            }

            feature.UpstreamTime += time.GetElapsedTime(started);
            var failure = FailureOf(context, feature);
            if (failure is null || context.Response.HasStarted || context.RequestAborted.IsCancellationRequested)
            {
                return;
            }

            var failed = feature.Chosen!.Value.Expert.Id;
            feature.FailedAttempts.Add((failed, failure));
            metrics.Fallback(failed, failure);
            Log.AttemptFailed(logger, feature.RequestId, failed, failure);
            if (attempt >= _maxAttempts || !TryNext(context, feature))
            {
                await WriteFinalErrorAsync(context, feature, failed, failure);
                return;
            }
        }
    }

    private static string? FailureOf(HttpContext context, IExpertRoutingFeature feature)
    {
        if (feature.FallbackReason is { } reason)
        {
            return reason;
        }

        var error = context.Features.Get<IForwarderErrorFeature>();
        return error is null || error.Error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled
            ? null
            : error.Error.ToString();
    }

    private bool TryNext(HttpContext context, IExpertRoutingFeature feature)
    {
        // Throw away what the failed attempt left on the response before trying again.
        context.Response.Clear();
        context.Features.Set<IForwarderErrorFeature>(null);
        return UpstreamSelection.TrySelect(context, feature, proxyState, feature.ChosenRank + 1, expert => Log.Unhealthy(logger, feature.RequestId, expert));
    }

    private static Task WriteFinalErrorAsync(HttpContext context, IExpertRoutingFeature feature, string expert, string failure)
    {
        context.Response.Clear();
        var error = failure == nameof(ForwarderError.RequestTimedOut)
            ? ApiError.Timeout($"Expert '{expert}' did not answer in time.")
            : ApiError.Upstream(StatusCodes.Status502BadGateway, $"Expert '{expert}' could not be reached ({failure}).");
        return ApiErrorWriter.WriteAsync(context, error);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "Request {RequestId}: attempt on {Expert} failed ({Failure}).")]
        public static partial void AttemptFailed(ILogger logger, string requestId, string expert, string failure);

        [LoggerMessage(EventId = 31, Level = LogLevel.Warning, Message = "Request {RequestId}: fallback skipped {Expert}, no healthy destination.")]
        public static partial void Unhealthy(ILogger logger, string requestId, string expert);
    }
}
