using ExpertRouter.Core.OpenAI;
using ExpertRouter.Gateway.Resilience;
using Yarp.ReverseProxy;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>
/// Last routing step: puts the tenant's fallback chain right behind the first choice (here, after aggregation has
/// used the router's own order and the budget has admitted the ranking), then takes the best-ranked expert that has a healthy destination and a circuit that is not open, points YARP's request at its
/// cluster, and rewrites the body's model name to the one the backend expects. YARP forwards from here.
/// </summary>
internal sealed partial class HealthStep(RequestDelegate next, IProxyStateLookup proxyState, ExpertCircuits circuits, ILogger<HealthStep> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var feature = context.Features.GetRequiredFeature<IExpertRoutingFeature>();
        feature.Decision = feature.Decision! with { Ranking = FallbackOrder.Apply(feature.Decision.Ranking, feature.Tenant.FallbackChain) };
        if (UpstreamSelection.TrySelect(context, feature, proxyState, circuits, 0, expert => Log.Unhealthy(logger, feature.RequestId, expert)))
        {
            return next(context);
        }

        return ApiErrorWriter.WriteAsync(context, ApiError.NoExpertAvailable(
            "No healthy expert can take this request right now; retry shortly."));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Request {RequestId}: skipped {Expert}, no healthy destination or circuit open.")]
        public static partial void Unhealthy(ILogger logger, string requestId, string expert);
    }
}
