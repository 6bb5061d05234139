using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Telemetry;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>Outermost step for <c>/v1</c>: counts each request once it is answered, with the gateway's own share of its time.</summary>
internal sealed class TelemetryStep(RequestDelegate next, GatewayMetrics metrics, TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var start = time.GetTimestamp();
        await next(context);
        var feature = context.Features.Get<IExpertRoutingFeature>();
        var total = time.GetElapsedTime(start);
        var outcome = feature?.Outcome;
        var overhead = total - (outcome?.UpstreamTime ?? TimeSpan.Zero);
        var endpoint = feature?.Request?.Endpoint switch
        {
            OpenAIEndpoint.ChatCompletions => "chat",
            OpenAIEndpoint.Embeddings => "embeddings",
            _ => context.Request.Path.Value ?? "",
        };
        if (outcome?.Usage is { } usage)
        {
            metrics.Cost(feature!.Tenant.Id, usage.Expert, usage.CostUsd);
        }

        metrics.Request(
            endpoint,
            feature?.Plan?.Router ?? "none",
            outcome?.Answered?.Expert.Id ?? "none",
            context.Response.StatusCode,
            Math.Max(0, overhead.TotalMilliseconds));
    }
}
