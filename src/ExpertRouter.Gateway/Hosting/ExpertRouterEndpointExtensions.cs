using ExpertRouter.Core.OpenAI;
using ExpertRouter.Gateway.Aggregation;
using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.Endpoints;
using ExpertRouter.Gateway.Pipeline;
using ExpertRouter.Gateway.Telemetry;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace ExpertRouter.Gateway.Hosting;

public static class ExpertRouterEndpointExtensions
{
    /// <summary>
    /// Maps the OpenAI surface. A routed request flows tenant → request → policy → cache → router → budget → health → forward
    /// (an <c>ensemble/…</c> request is answered by the ensemble step after the router, with its own fan-out budget
    /// reservation, instead of being forwarded);
    /// each step is a small middleware that narrows the request's <see cref="IExpertRoutingFeature"/>.
    /// </summary>
    public static WebApplication MapExpertRouter(this WebApplication app)
    {
        app.UseExceptionHandler(handler => handler.Run(context =>
        {
            // Reaching here is a bug, not bad input; the client still gets an envelope, never a stack trace.
            var requestId = context.Features.Get<IExpertRoutingFeature>()?.RequestId ?? context.TraceIdentifier;
            _ = context.Features.Get<IExceptionHandlerFeature>();
            return ApiErrorWriter.WriteAsync(context, new ApiError(
                StatusCodes.Status500InternalServerError, $"The gateway failed on request {requestId}.", "server_error", null, "internal_error"));
        }));

        app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/v1"),
            v1 => v1.UseMiddleware<RequestTelemetryStep>().UseMiddleware<TenantResolutionStep>());

        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ExpertRouterServiceCollectionExtensions.ReadyTag),
            ResponseWriter = HealthReportWriter.WriteAsync,
        });
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapGet("/v1/models", ModelsEndpoint.List);
        app.MapGet("/v1/usage", UsageEndpoint.GetAsync);
        app.MapTenantAdmin();
        app.MapReverseProxy(proxy =>
        {
            proxy.UseMiddleware<RequestParsingStep>();
            proxy.UseMiddleware<PolicyStep>();
            proxy.UseMiddleware<ResponseCacheStep>();
            proxy.UseMiddleware<RouterStep>();
            proxy.UseMiddleware<EnsembleStep>();
            proxy.UseMiddleware<BudgetStep>();
            proxy.UseMiddleware<HealthStep>();
            proxy.UseMiddleware<FallbackStep>();
            proxy.UseMiddleware<StreamFailureStep>();
            proxy.UseMiddleware<UpstreamDeadlineStep>();
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        app.MapFallback("/v1/{**path}", NotFoundEndpoint.Handle);
        return app;
    }
}
