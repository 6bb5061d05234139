using System.Text.Json.Nodes;
using ExpertRouter.Core.Routing;
using ExpertRouter.Core.Telemetry;
using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Ensembles;
using ExpertRouter.Gateway.Invocation;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Routing;
using ExpertRouter.Gateway.Telemetry;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>
/// Carries out a plan that an ensemble answers (<c>ensemble/&lt;name&gt;</c>, or the tenant's default for
/// <c>auto</c>): runs the ensemble's strategy over the plan's ranking, its member calls going through the tenant's
/// cache and the gateway's invoker, and writes the final answer (JSON, or a live stream that ends with an error event
/// if its last call breaks). It stands where a single-expert plan is forwarded, behind the same cache and budget
/// steps: what the calls cost is left in <see cref="RequestOutcome.Usage"/> for the budget step to settle.
/// </summary>
internal sealed partial class EnsembleStep(
    RequestDelegate next,
    EnsembleStrategies strategies,
    EnsembleCalls calls,
    IServiceProvider services,
    ResponseCache cache,
    CacheMetrics cacheMetrics,
    CacheSavings cacheSavings,
    ITenantCachePolicy cachePolicies,
    IOptions<GatewayOptions> gatewayOptions,
    GatewayMetrics metrics,
    TimeProvider time,
    ILogger<EnsembleStep> logger)
{
    private readonly Kernel _kernel = new(services);

    // Not async itself: a request that skips this step continues with the next step's own task, so no state machine
    // (and no closure over the slow path's locals) is allocated for it.
    public Task InvokeAsync(HttpContext context)
    {
        var feature = context.Features.GetRequiredFeature<IExpertRoutingFeature>();
        var plan = feature.Plan!;
        return plan.Ensemble is { } planned ? RunAsync(context, feature, plan, planned) : next(context);
    }

    private async Task RunAsync(HttpContext context, IExpertRoutingFeature feature, RoutingPlan plan, PlannedEnsemble planned)
    {
        var (name, options) = (planned.Name, planned.Options);
        var request = feature.Request!;
        var reservedUsd = feature.Outcome.Reservation?.AmountUsd ?? 0;
        var body = (JsonObject)JsonNode.Parse(request.Body.Span)!;
        var view = CacheView.For(cache, cacheMetrics, cacheSavings, cachePolicies, feature.Tenant, context.Request.Headers.CacheControl.ToString());
        var scope = new EnsembleScope(new ChatCallScope(feature.RequestId, feature.Tenant.Id, TimeSpan.FromSeconds(options.CallTimeoutSeconds)), view, request.Prompt);
        var live = request.Stream
            ? new EnsembleEventStream(context, "chatcmpl-" + feature.RequestId, request.Model, time.GetUtcNow().ToUnixTimeSeconds(), request.StreamIncludeUsage)
            : null;
        var ensemble = new EnsembleContext(name, options, scope, body, plan.Ranking, _kernel, calls, EnsembleStrategies.Extractor(options),
            gatewayOptions.Value.MaxFallbacks, feature.Tenant.FallbackChain, live);
        if (live is not null)
        {
            // A live final answer starts the response before the ensemble ends: the headers go out with it.
            live.OnStart = () =>
            {
                var pending = ensemble.Pending;
                WriteHeaders(context, feature, name, options, ensemble.Calls, pending?.Decision ?? "", reservedUsd, pending is { } p ? (p.Expert, p.Role) : null);
                context.Response.Headers[GatewayHeaders.Expert] = pending?.Expert ?? "";
            };
        }

        var started = time.GetTimestamp();
        EnsembleOutcome outcome;
        try
        {
            outcome = await strategies.For(options.Mode).RunAsync(ensemble, context.RequestAborted);
        }
        finally
        {
            feature.Outcome.UpstreamTime += time.GetElapsedTime(started);
            feature.Outcome.Usage = Spent(request.Model, ensemble.Calls);
        }

        var made = ensemble.Calls;
        foreach (var call in made)
        {
            metrics.EnsembleCall(EnsembleHeaders.Mode(options.Mode), call.Result.Expert.Id, call.Role.ToString().ToLowerInvariant(), call.Result.Status.ToString().ToLowerInvariant());
        }

        Log.Answered(logger, feature.RequestId, name, made.Count, outcome.Decision);
        feature.Outcome.Answered = AnsweredBy(plan, outcome.AnsweredBy);
        if (live is { Started: true })
        {
            await (outcome.Error is null ? live.FinishAsync(made, context.RequestAborted) : live.FailAsync(outcome.Error));
            return;
        }

        WriteHeaders(context, feature, name, options, made, outcome.Decision, reservedUsd, null);
        if (outcome.Error is { } failure)
        {
            await ApiErrorWriter.WriteAsync(context, failure);
            return;
        }

        context.Response.Headers[GatewayHeaders.Expert] = outcome.AnsweredBy;
        if (live is not null)
        {
            // Vote and judge pick among finished answers: the chosen one is replayed as chunks, headers already set.
            live.OnStart = null;
            await live.ReplayAsync(outcome.Text, context.RequestAborted);
            await live.FinishAsync(made, context.RequestAborted);
            return;
        }

        await EnsembleResponseWriter.WriteJsonAsync(context, "chatcmpl-" + feature.RequestId, request.Model, outcome.Text, made, time.GetUtcNow().ToUnixTimeSeconds());
    }

    /// <summary>What the ensemble's paid calls used, for the budget step to settle; null when none cost anything (cache hits are free).</summary>
    private static SettledUsage? Spent(string model, IReadOnlyList<EnsembleCall> calls)
    {
        var paid = calls.Where(c => !c.Result.Cached).ToArray();
        var cost = paid.Sum(c => c.Result.CostUsd);
        var (prompt, completion) = (paid.Sum(c => (long)c.Result.PromptTokens), paid.Sum(c => (long)c.Result.CompletionTokens));
        return cost <= 0 && prompt + completion == 0 ? null : new SettledUsage(model, prompt, completion, cost);
    }

    private static ExpertScore? AnsweredBy(RoutingPlan plan, string expert)
    {
        foreach (var score in plan.Ranking)
        {
            if (score.Expert.Id == expert)
            {
                return score;
            }
        }

        return null;
    }

    private static void WriteHeaders(
        HttpContext context, IExpertRoutingFeature feature, string name, EnsembleOptions options, IReadOnlyList<EnsembleCall> calls, string decision, double reservedUsd,
        (string Expert, ExpertRole Role)? streaming)
    {
        var headers = context.Response.Headers;
        EnsembleHeaders.Write(headers, name, options, calls, decision, reservedUsd, streaming);
        headers[GatewayHeaders.Router] = feature.Plan!.Router;
        headers[GatewayHeaders.RequestId] = feature.RequestId;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.EnsembleAnswered, Level = LogLevel.Debug, Message = "Request {RequestId}: ensemble {Ensemble} made {Calls} calls; {Decision}.")]
        public static partial void Answered(ILogger logger, string requestId, string ensemble, int calls, string decision);
    }
}
