using ExpertRouter.Gateway.Resilience;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>
/// Innermost step before YARP: bounds one attempt by the expert's first-token and total limits. YARP forwards under
/// the request's abort token, so this step hands it a token that also fires at a deadline, and afterwards tells a
/// timeout apart from a client that left. Before the first byte a timeout falls back (see <see cref="FallbackStep"/>);
/// after it, <see cref="StreamFailureStep"/> ends the stream with an error event.
/// </summary>
internal sealed partial class UpstreamDeadlineStep(RequestDelegate next, ExpertTimeoutTable timeouts, TimeProvider time, ILogger<UpstreamDeadlineStep> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var feature = context.Features.GetRequiredFeature<IExpertRoutingFeature>();
        var expert = feature.Chosen!.Value.Expert.Id;
        var limits = timeouts.For(expert);
        var lifetime = context.Features.GetRequiredFeature<IHttpRequestLifetimeFeature>();
        using var deadline = new AttemptDeadline(lifetime.RequestAborted, limits, time);
        // The response starts with its first body byte (YARP does not start it at the headers), which ends the
        // first-token wait; later attempts' callbacks find their deadline already disposed and do nothing.
        context.Response.OnStarting(static state => ((AttemptDeadline)state).FirstByteSent(), deadline);
        context.Features.Set<IHttpRequestLifetimeFeature>(new DeadlineLifetimeFeature(lifetime, deadline.Token));
        try
        {
            await next(context);
        }
        finally
        {
            context.Features.Set(lifetime);
        }

        if (deadline.ExpiredBy is { } reason && !lifetime.RequestAborted.IsCancellationRequested)
        {
            feature.FallbackReason = reason;
            Log.TimedOut(logger, feature.RequestId, expert, reason, context.Response.HasStarted);
        }
    }

    /// <summary>The request's lifetime with a deadline-linked abort token; aborting still reaches the real connection.</summary>
    private sealed class DeadlineLifetimeFeature(IHttpRequestLifetimeFeature inner, CancellationToken token) : IHttpRequestLifetimeFeature
    {
        public CancellationToken RequestAborted
        {
            get => token;
            set => inner.RequestAborted = value;
        }

        public void Abort() => inner.Abort();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 60, Level = LogLevel.Warning, Message = "Request {RequestId}: expert {Expert} hit its {Reason} (response started: {Started}).")]
        public static partial void TimedOut(ILogger logger, string requestId, string expert, string reason, bool started);
    }
}
