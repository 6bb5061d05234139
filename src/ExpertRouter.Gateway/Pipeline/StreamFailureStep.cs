using System.Text;
using ExpertRouter.Core.OpenAI;
using ExpertRouter.Gateway.Telemetry;
using Yarp.ReverseProxy.Forwarder;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>
/// After the first byte of a stream nothing can fall back any more, but the client must still learn the truth:
/// when the expert's stream breaks, YARP would cut the connection; instead the stream ends with an explicit
/// OpenAI-shaped error event, so SDKs raise an error rather than treating a truncated answer as complete.
/// </summary>
internal sealed partial class StreamFailureStep(RequestDelegate next, GatewayMetrics metrics, ILogger<StreamFailureStep> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var feature = context.Features.GetRequiredFeature<IExpertRoutingFeature>();
        if (!feature.Request!.Stream)
        {
            await next(context);
            return;
        }

        // A stream stays open-ended (chunked): an expert's Content-Length would leave no room for the error event,
        // and a client would read the gateway's honest ending as a body cut short.
        context.Response.OnStarting(static state =>
        {
            ((HttpResponse)state).ContentLength = null;
            return Task.CompletedTask;
        }, context.Response);
        var lifetime = context.Features.GetRequiredFeature<IHttpRequestLifetimeFeature>();
        var reset = context.Features.Get<IHttpResetFeature>();
        var deferred = new DeferredAbortFeature(lifetime);
        context.Features.Set<IHttpRequestLifetimeFeature>(deferred);
        // Without a reset feature YARP falls back to Abort(), which the deferred feature holds back.
        context.Features.Set<IHttpResetFeature>(null);
        try
        {
            await next(context);
        }
        finally
        {
            context.Features.Set(lifetime);
            context.Features.Set(reset);
        }

        if (!deferred.AbortRequested)
        {
            return;
        }

        var error = context.Features.Get<IForwarderErrorFeature>()?.Error;
        if (error is ForwarderError.ResponseBodyDestination or ForwarderError.ResponseBodyCanceled
            && context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            var expert = feature.Chosen?.Expert.Id ?? "?";
            Log.StreamBroken(logger, feature.RequestId, expert, error.Value);
            metrics.StreamInterrupted(expert);
            await WriteErrorEventAsync(context, expert, feature.FallbackReason ?? error.Value.ToString());
            return;
        }

        lifetime.Abort();
    }

    private static async Task WriteErrorEventAsync(HttpContext context, string expert, string cause)
    {
        var apiError = new ApiError(
            StatusCodes.Status502BadGateway,
            $"The stream from expert '{expert}' broke before it finished ({cause}); the answer above is incomplete.",
            "server_error",
            null,
            "upstream_stream_interrupted");
        var payload = new StringBuilder("\n\ndata: ").Append(Encoding.UTF8.GetString(apiError.ToEnvelopeJson())).Append("\n\n").ToString();
        try
        {
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(payload), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The client left as well; there is no one left to tell.
        }
    }

    /// <summary>Records YARP's request to abort instead of acting on it at once.</summary>
    private sealed class DeferredAbortFeature(IHttpRequestLifetimeFeature inner) : IHttpRequestLifetimeFeature
    {
        public bool AbortRequested { get; private set; }

        public CancellationToken RequestAborted
        {
            get => inner.RequestAborted;
            set => inner.RequestAborted = value;
        }

        public void Abort() => AbortRequested = true;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Request {RequestId}: stream from {Expert} broke after the first byte ({Error}); ended with an error event.")]
        public static partial void StreamBroken(ILogger logger, string requestId, string expert, ForwarderError error);
    }
}
