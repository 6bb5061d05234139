using ExpertRouter.Gateway.Console.Decisions;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.RequestLog;
using ExpertRouter.Gateway.Telemetry;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>
/// Outermost step for <c>/v1</c>: counts each request once it is answered, with the gateway's own share of its time,
/// and hands every parsed request to the request log (one entry of references and a queue write; the record is built
/// off the request path) and every request to the console's decision ring (a copy into a preallocated slot).
/// </summary>
internal sealed class TelemetryStep(RequestDelegate next, GatewayMetrics metrics, RequestLogQueue log, DecisionLog decisions, TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var start = time.GetTimestamp();
        var startedAt = log.Enabled ? time.GetUtcNow() : default;
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
        if (decisions.Enabled)
        {
            decisions.Record(new DecisionInput
            {
                StartTimestamp = start,
                Total = total,
                Upstream = outcome?.UpstreamTime ?? TimeSpan.Zero,
                Status = context.Response.StatusCode,
                RequestId = feature?.RequestId,
                Tenant = feature?.Tenant,
                Path = context.Request.Path.Value,
                Request = feature?.Request,
                Plan = feature?.Plan,
                Answered = outcome?.Answered,
                Failed = outcome?.Failed ?? [],
                Usage = outcome?.Usage,
                Cache = outcome?.Cache,
                ExplorationRate = outcome?.ExplorationRate,
            });
        }

        if (log.Enabled && feature?.Request is { } request)
        {
            log.TryRecord(new RequestLogEntry(
                startedAt, feature.RequestId, feature.Tenant, request, feature.Plan, outcome!.Answered, outcome.Failed, outcome.Usage, outcome.Cache,
                context.Response.StatusCode, total.TotalMilliseconds, outcome.ExplorationRate));
        }
    }
}
