using ExpertRouter.Core.OpenAI;
using ExpertRouter.Gateway.Console;
using ExpertRouter.Gateway.Endpoints;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Pipeline;
using ExpertRouter.Gateway.Telemetry;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace ExpertRouter.Gateway.Hosting;

public static class ExpertRouterEndpointExtensions
{
    /// <summary>
    /// Maps the OpenAI surface. Every <c>/v1</c> request is counted and its tenant found from its key; a chat or
    /// embeddings request is then parsed once and decided (policy, router: the routing plan), and the plan is carried
    /// out: (exploration sampling) → cache → budget → ensemble or forward. Each step is a small middleware over the request's
    /// <see cref="IExpertRoutingFeature"/>.
    /// </summary>
    public static WebApplication MapExpertRouter(this WebApplication app)
    {
        app.UseExceptionHandler(handler => handler.Run(context =>
        {
            // Reaching here is a bug, not bad input; the client still gets an envelope, never a stack trace.
            var requestId = context.Features.Get<IExpertRoutingFeature>()?.RequestId ?? context.TraceIdentifier;
            return ApiErrorWriter.WriteAsync(context, new ApiError(
                StatusCodes.Status500InternalServerError, $"The gateway failed on request {requestId}.", "server_error", null, "internal_error"));
        }));

        app.UseMiddleware<ManagementGate>();
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/v1"),
            v1 => v1.UseMiddleware<TelemetryStep>().UseMiddleware<ClientProtocolStep>().UseMiddleware<TenantStep>());

        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(HealthTags.Ready),
            ResponseWriter = HealthReportWriter.WriteAsync,
        });
        app.MapPrometheusScrapingEndpoint(ManagementGate.MetricsPath);
        app.MapGet("/v1/models", ModelsEndpoint.List);
        app.MapGet("/v1/models/{**id}", ModelsEndpoint.Get);
        app.MapGet("/v1/usage", UsageEndpoint.GetAsync);
        app.MapPost("/v1/feedback", FeedbackEndpoint.PostAsync);
        app.MapTenantAdmin();
        app.MapRouterAdmin();
        app.MapConsole();

        var routed = RoutedPipeline(app, translated: false);
        app.MapPost(OpenAIPaths.ChatCompletions, routed);
        app.MapPost(OpenAIPaths.Embeddings, routed);
        // The Responses API and Anthropic Messages are front doors to the same pipeline: translated in, translated out.
        var translated = RoutedPipeline(app, translated: true);
        app.MapPost(ClientProtocolStep.ResponsesPath, translated);
        app.MapPost(ClientProtocolStep.MessagesPath, translated);
        // YARP holds the experts' clusters (health, clients); mapping it with no routes loads them.
        app.MapReverseProxy();
        app.MapFallback("/v1/{**path}", NotFoundEndpoint.Handle);
        return app;
    }

    private static RequestDelegate RoutedPipeline(WebApplication app, bool translated)
    {
        var pipeline = ((IEndpointRouteBuilder)app).CreateApplicationBuilder();
        if (translated)
        {
            pipeline.UseMiddleware<ProtocolRequestStep>();
        }

        return pipeline
            .UseMiddleware<ParseStep>()
            .UseMiddleware<PlanStep>()
            .UseMiddleware<ExplorationStep>()
            .UseMiddleware<CacheStep>()
            .UseMiddleware<BudgetStep>()
            .UseMiddleware<EnsembleStep>()
            .UseMiddleware<ForwardStep>()
            .Build();
    }
}
