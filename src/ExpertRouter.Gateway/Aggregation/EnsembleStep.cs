using System.Text.Json.Nodes;
using ExpertRouter.Core.OpenAI;
using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Experts;
using ExpertRouter.Gateway.Pipeline;
using ExpertRouter.Gateway.Telemetry;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;

namespace ExpertRouter.Gateway.Aggregation;

/// <summary>
/// Answers <c>ensemble/&lt;name&gt;</c> requests after the policy and router steps (so the tenant's narrowing and the
/// router's ranking apply): reserves the fan-out's maximum cost, runs the ensemble's strategy, and writes the final
/// answer instead of handing the request to YARP. Any other model passes straight through.
/// </summary>
internal sealed partial class EnsembleStep(
    RequestDelegate next,
    EnsembleRegistry ensembles,
    ExpertCatalog catalog,
    IServiceProvider services,
    ExpertCallPipeline calls,
    ResponseCache cache,
    CacheMetrics cacheMetrics,
    ITenantCachePolicy cachePolicies,
    IOptions<GatewayOptions> gatewayOptions,
    IEnsembleBudget budget,
    CacheSavings cacheSavings,
    GatewayMetrics metrics,
    TimeProvider time,
    ILogger<EnsembleStep> logger)
{
    private readonly Kernel _kernel = new(services);

    public async Task InvokeAsync(HttpContext context)
    {
        var feature = context.Features.GetRequiredFeature<IExpertRoutingFeature>();
        var request = feature.Request!;
        var (name, options) = Select(feature, request);
        if (name is null)
        {
            await next(context);
            return;
        }

        if (Check(feature, request, name, options) is { } error)
        {
            await ApiErrorWriter.WriteAsync(context, error);
            return;
        }
        var ranking = feature.Decision!.Ranking;
        var maxFallbacks = gatewayOptions.Value.MaxFallbacks;
        var maxCost = EnsembleCostEstimate.MaxUsd(options, ranking, request.PromptTokens, id => catalog.TryGet(id, out var e) ? e : null,
            feature.Tenant.FallbackChain, maxFallbacks);
        var maxTokens = request.PromptTokens * Math.Max(1, options.Size) + ranking.Take(options.Size).Sum(s => s.Expert.ExpectedOutputTokens);
        var (reservation, refusal) = await budget.ReserveAsync(feature.Tenant, maxCost, maxTokens, context.RequestAborted);
        if (refusal is not null)
        {
            await ApiErrorWriter.WriteAsync(context, refusal);
            return;
        }

        var body = (JsonObject)JsonNode.Parse(request.Body.Span)!;
        var includeUsage = body["stream_options"]?["include_usage"]?.GetValueKind() == System.Text.Json.JsonValueKind.True;
        var scope = new ExpertCallScope(feature.RequestId, TimeSpan.FromSeconds(options.CallTimeoutSeconds),
            SubCallCache.For(cache, cacheMetrics, cacheSavings, cachePolicies, feature.Tenant, context.Request.Headers.CacheControl.ToString()), request.Prompt);
        var live = request.Stream
            ? new EnsembleEventStream(context, "chatcmpl-" + feature.RequestId, request.Model, time.GetUtcNow().ToUnixTimeSeconds(), includeUsage)
            : null;
        var ensemble = new EnsembleContext(name, options, scope, body, ranking, _kernel, calls, EnsembleRegistry.Extractor(options),
            maxFallbacks, feature.Tenant.FallbackChain, live);
        if (live is not null)
        {
            // A live final answer starts the response before the ensemble ends: the headers go out with it.
            live.OnStart = () =>
            {
                var pending = ensemble.Pending;
                WriteHeaders(context, feature, name, options, ensemble.Calls, pending?.Decision ?? "", maxCost, pending is { } p ? (p.Expert, p.Role) : null);
                context.Response.Headers[ForwardingTransforms.ExpertHeader] = pending?.Expert ?? "";
            };
        }

        var started = time.GetTimestamp();
        EnsembleOutcome outcome;
        try
        {
            outcome = await ensembles.Strategy(options.Mode).RunAsync(ensemble, context.RequestAborted);
        }
        finally
        {
            // Cache hits cost nothing and, as a direct hit, use none of the tenant's token allowance.
            var spent = ensemble.Calls.Where(c => !c.Result.Cached).ToArray();
            await budget.SettleAsync(reservation!, new EnsembleSettlement(request.Model, spent.Length, spent.Sum(c => (long)c.Result.PromptTokens),
                spent.Sum(c => (long)c.Result.CompletionTokens), spent.Sum(c => c.Result.CostUsd)), CancellationToken.None);
        }

        feature.UpstreamTime = time.GetElapsedTime(started);
        var made = ensemble.Calls;
        foreach (var call in made)
        {
            metrics.EnsembleCall(EnsembleHeaders.Mode(options.Mode), call.Result.Expert.Id, call.Role.ToString().ToLowerInvariant(), call.Result.Status.ToString().ToLowerInvariant());
        }

        Log.Answered(logger, feature.RequestId, name, made.Count, outcome.Decision);
        feature.Chosen = ranking.FirstOrDefault(s => s.Expert.Id == outcome.AnsweredBy) is { Expert: not null } chosen ? chosen : feature.Chosen;
        if (live is { Started: true })
        {
            await (outcome.Error is null
                ? live.FinishAsync(made, context.RequestAborted)
                : live.FailAsync(outcome.Error, context.RequestAborted));
            return;
        }

        WriteHeaders(context, feature, name, options, made, outcome.Decision, maxCost, null);
        if (outcome.Error is { } failure)
        {
            await ApiErrorWriter.WriteAsync(context, failure);
            return;
        }

        context.Response.Headers[ForwardingTransforms.ExpertHeader] = outcome.AnsweredBy;
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

    private static void WriteHeaders(
        HttpContext context, IExpertRoutingFeature feature, string name, EnsembleOptions options, IReadOnlyList<EnsembleCall> calls, string decision, double reservedUsd,
        (string Expert, ExpertRole Role)? streaming)
    {
        var headers = context.Response.Headers;
        EnsembleHeaders.Write(headers, name, options, calls, decision, reservedUsd, streaming);
        headers[ForwardingTransforms.RouterHeader] = feature.Decision!.Router;
        headers[TenantResolutionStep.RequestIdHeader] = feature.RequestId;
    }

    /// <summary>The ensemble the request names, else the tenant's default for <c>auto</c> chat without tools, else none.</summary>
    private (string? Name, EnsembleOptions Options) Select(IExpertRoutingFeature feature, OpenAIRequest request)
    {
        if (ModelAliases.EnsembleFor(request.Model) is { } named)
        {
            return (named, ensembles.TryGet(named, out var configured) ? configured : null!);
        }

        return request.Model == ModelAliases.Auto && request.Endpoint == OpenAIEndpoint.ChatCompletions && !request.UsesTools
            && TenantAggregation.Resolve(feature.Tenant.Aggregation, ensembles) is { } fromPolicy
            ? (TenantAggregation.EnsembleName, fromPolicy)
            : (null, null!);
    }

    private static ApiError? Check(IExpertRoutingFeature feature, OpenAIRequest request, string name, EnsembleOptions? options)
    {
        if (options is null)
        {
            return ApiError.ModelNotFound(request.Model);
        }

        if (request.Endpoint != OpenAIEndpoint.ChatCompletions || request.UsesTools)
        {
            return ApiError.InvalidRequest("Ensembles combine text answers; they serve chat completions without tools.", "model", "model_not_supported");
        }

        foreach (var reviewer in new[] { options.Judge, options.Aggregator })
        {
            if (reviewer is not null && !feature.Tenant.Allows(reviewer))
            {
                return ApiError.Forbidden($"Ensemble '{name}' uses '{reviewer}', which your key may not use.", "model");
            }
        }

        return null;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 40, Level = LogLevel.Debug, Message = "Request {RequestId}: ensemble {Ensemble} made {Calls} calls; {Decision}.")]
        public static partial void Answered(ILogger logger, string requestId, string ensemble, int calls, string decision);
    }
}
