using System.Buffers;
using ExpertRouter.Core.Routing;
using ExpertRouter.Gateway.Routing;
using ExpertRouter.Gateway.Telemetry;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>
/// Ranks the candidates: the router predicts each one's quality and the tenant's cost knob turns that into an
/// order. A request that named its expert skips the router: its ranking is that expert, then the tenant's fallback
/// chain.
/// </summary>
internal sealed partial class RouterStep(RequestDelegate next, RouterRegistry routers, GatewayMetrics metrics, TimeProvider time, ILogger<RouterStep> logger)
{
    public const string DirectRouterName = "direct";

    public async Task InvokeAsync(HttpContext context)
    {
        var feature = context.Features.GetRequiredFeature<IExpertRoutingFeature>();
        var request = feature.Request!;
        var routerName = ModelAliases.RouterFor(request.Model, feature.Tenant.Router);
        if (routerName is null)
        {
            feature.Decision = new RoutingDecision(DirectRouterName, [.. feature.Candidates.Select(expert =>
                new ExpertScore(expert, double.NaN, expert.CostUsd(request.PromptTokens, expert.ExpectedOutputTokens), 0))]);
            await next(context);
            return;
        }

        routers.TryGet(routerName, out var router);
        var candidates = feature.Candidates;
        var quality = ArrayPool<double>.Shared.Rent(candidates.Count);
        var started = time.GetTimestamp();
        using var span = GatewayMetrics.ActivitySource.StartActivity("route");
        try
        {
            var query = new RoutingQuery(request.Prompt) { Id = feature.RequestId };
            await router.EstimateQualityAsync(query, candidates, quality.AsMemory(0, candidates.Count), context.RequestAborted);
            feature.Decision = CostAwareRanking.Rank(
                router.Name, candidates, quality.AsSpan(0, candidates.Count), request.PromptTokens, LambdaFor(router, feature));
        }
        finally
        {
            ArrayPool<double>.Shared.Return(quality);
        }

        var chosen = feature.Decision.Chosen;
        metrics.Routed(router.Name, chosen.Expert.Id, time.GetElapsedTime(started).TotalMilliseconds);
        span?.SetTag("expertrouter.router", router.Name);
        span?.SetTag("expertrouter.expert", chosen.Expert.Id);
        span?.SetTag("expertrouter.predicted_quality", chosen.PredictedQuality);

        Log.Routed(logger, feature.RequestId, router.Name, feature.Decision.Chosen.Expert.Id, feature.Decision.Chosen.PredictedQuality);
        await next(context);
    }

    /// <summary>A tenant's cost target wins over its raw λ when the router was calibrated to translate it.</summary>
    private double LambdaFor(IRouter router, IExpertRoutingFeature feature)
    {
        var tenant = feature.Tenant;
        if (tenant.CostTarget is not { } target)
        {
            return tenant.Lambda;
        }

        if (router is ICostCalibratedRouter calibrated)
        {
            return calibrated.LambdaFor(target);
        }

        Log.Uncalibrated(logger, feature.RequestId, tenant.Id, router.Name);
        return tenant.Lambda;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Request {RequestId}: tenant {Tenant} states a cost target but router {Router} is not calibrated; using the tenant's lambda.")]
        public static partial void Uncalibrated(ILogger logger, string requestId, string tenant, string router);

        [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "Request {RequestId}: router {Router} ranked {Expert} first (predicted quality {Quality:F3}).")]
        public static partial void Routed(ILogger logger, string requestId, string router, string expert, double quality);
    }
}
