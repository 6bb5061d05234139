using ExpertRouter.Core.Telemetry;
using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.Caching.Replay;
using ExpertRouter.Gateway.Caching.Semantic;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Experts;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Routing;
using ExpertRouter.Gateway.Telemetry;
using Yarp.ReverseProxy.Forwarder;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>
/// After the plan: a hit from an expert the plan still allows is answered here (JSON, or replayed as a stream) and
/// never reaches an expert; identical requests in flight wait for the first one's answer; a miss goes on (to one
/// expert or an ensemble) and its answer is stored when it completed with 200. Every chat response says what happened
/// in <c>x-expertrouter-cache</c>.
/// </summary>
internal sealed partial class CacheStep(
    RequestDelegate next,
    ResponseCache cache,
    SingleFlight flights,
    ITenantCachePolicy policies,
    ExpertCatalog catalog,
    CacheMetrics metrics,
    CacheSavings savings,
    CacheSettings settings,
    CacheEmbedders embedders,
    ILogger<CacheStep> logger)
{
    // Not async itself: a request that skips this step continues with the next step's own task, so no state machine
    // (and no closure over the slow path's locals) is allocated for it.
    public Task InvokeAsync(HttpContext context)
    {
        var feature = context.Features.GetRequiredFeature<IExpertRoutingFeature>();
        var request = feature.Request!;
        if (request.Endpoint != OpenAIEndpoint.ChatCompletions)
        {
            return next(context);
        }

        var tenant = feature.Tenant.Id;
        var view = CacheView.For(cache, metrics, savings, policies, feature.Tenant, context.Request.Headers.CacheControl.ToString());
        // Several answers to one request (n > 1) are not kept: a stored entry replays one answer.
        var keys = request.Choices > 1 ? null : view?.KeysFor(request.Body, request.Deterministic, view.Options.Mode == CacheMode.Semantic && request.Prompt.Length > 0);
        if (view is null || keys is null)
        {
            Record(context, feature, new CacheOutcome(CacheOutcome.Bypass, null, 0, 0, 0), tenant);
            return next(context);
        }

        return LookUpAsync(context, feature, request, tenant, view, keys);
    }

    private async Task LookUpAsync(HttpContext context, IExpertRoutingFeature feature, OpenAIRequest request, string tenant, CacheView view, CacheKeys keys)
    {
        // The lookups get their own span; it ends before forwarding so route and upstream spans are not its children.
        var span = GatewayMetrics.ActivitySource.StartActivity("cache");
        span?.SetTag("expertrouter.request_id", feature.RequestId);
        // With the router on the same sentence encoder, the vector it routed with is reused here, not computed again.
        var probe = keys.Scope is null ? null : cache.Probe(request.Prompt, embedders.For(view.Options.Embedder), request.PromptEmbeddings);
        var leader = false;
        CachedResponse? stored = null;
        try
        {
            if (view.LookUp)
            {
                if (Servable(feature.Plan!, await cache.GetAsync(tenant, keys.Exact, context.RequestAborted)) is { } hit)
                {
                    EndSpan(ref span, CacheOutcome.Hit);
                    await ServeAsync(context, feature, hit, CacheOutcome.Hit, keys);
                    return;
                }

                if (probe is not null && await cache.FindSimilarAsync(tenant, keys.Scope!, probe, view.Options.SemanticThreshold, context.RequestAborted) is { } similar
                    && Servable(feature.Plan!, similar.Entry) is not null)
                {
                    Log.SemanticHit(logger, feature.RequestId, similar.Similarity);
                    EndSpan(ref span, CacheOutcome.SemanticHit);
                    await ServeAsync(context, feature, similar.Entry, CacheOutcome.SemanticHit, keys);
                    return;
                }

                (leader, var answer) = flights.Join(keys.Exact);
                // A leader that finished between the lookup above and joining has stored its answer: look again.
                var shared = Servable(feature.Plan!, leader
                    ? await cache.GetAsync(tenant, keys.Exact, context.RequestAborted)
                    : await answer.WaitAsync(context.RequestAborted));
                if (shared is not null)
                {
                    EndSpan(ref span, CacheOutcome.Hit);
                    await ServeAsync(context, feature, shared, CacheOutcome.Hit, keys);
                    return;
                }
            }

            Record(context, feature, new CacheOutcome(CacheOutcome.Miss, null, 0, 0, 0), tenant);
            EndSpan(ref span, CacheOutcome.Miss);
            stored = await ForwardAndStoreAsync(context, feature, view, keys, probe);
        }
        finally
        {
            span?.Dispose();
            if (leader)
            {
                flights.Complete(keys.Exact, stored);
            }
        }
    }

    private static void EndSpan(ref System.Diagnostics.Activity? span, string result)
    {
        span?.SetTag("expertrouter.cache.result", result);
        span?.Dispose();
        span = null;
    }

    private async Task<CachedResponse?> ForwardAndStoreAsync(HttpContext context, IExpertRoutingFeature feature, CacheView view, CacheKeys keys, SemanticProbe? probe)
    {
        var body = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        var capture = new ResponseCaptureStream(context.Response.Body, settings.MaxEntryBytes);
        context.Response.Body = capture;
        try
        {
            await next(context);
        }
        finally
        {
            context.Features.Set(body);
        }

        if (feature.Outcome.Answered is not { } answered || CompletedAnswer(context, capture) is not { } completion)
        {
            return null;
        }

        try
        {
            return await view.StoreAsync(keys, completion, answered.Expert.Id, feature.Request!.Prompt, probe);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The client already has its answer; failing to keep a copy must not turn into an error.
            Log.StoreFailed(logger, feature.RequestId, ex);
            return null;
        }
    }

    /// <summary>The relayed answer when it is a complete success worth keeping; null otherwise.</summary>
    private static CapturedCompletion? CompletedAnswer(HttpContext context, ResponseCaptureStream capture)
    {
        var response = context.Response;
        // The cache holds chat completions, replayed to chat clients and through the translators alike; a native
        // Responses or Messages answer is none, so it is not kept.
        if (response.StatusCode != StatusCodes.Status200OK || capture.Overflowed || context.Features.Get<ClientProtocolExchange>() is { PassThrough: true }
            || context.Features.Get<IForwarderErrorFeature>() is not null || context.RequestAborted.IsCancellationRequested
            || response.Headers.ContentEncoding.Count > 0)
        {
            return null;
        }

        var mediaType = response.ContentType ?? "";
        return mediaType.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase)
            ? CompletionAssembler.FromEventStream(capture.Captured)
            : mediaType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
                ? CompletionAssembler.FromJson(capture.Captured)
                : null;
    }

    /// <summary>An answer from an expert the plan no longer allows (the tenant's policy changed since) is not served.</summary>
    private static CachedResponse? Servable(RoutingPlan plan, CachedResponse? entry)
    {
        if (entry is null)
        {
            return null;
        }

        foreach (var score in plan.Ranking)
        {
            if (string.Equals(score.Expert.Id, entry.Expert, StringComparison.Ordinal))
            {
                return entry;
            }
        }

        return null;
    }

    private async Task ServeAsync(HttpContext context, IExpertRoutingFeature feature, CachedResponse entry, string result, CacheKeys keys)
    {
        var saved = catalog.TryGet(entry.Expert, out var expert) ? expert.CostUsd(entry.PromptTokens, entry.CompletionTokens) : 0;
        Record(context, feature, new CacheOutcome(result, entry.Expert, entry.PromptTokens, entry.CompletionTokens, saved), feature.Tenant.Id);
        context.Response.Headers[GatewayHeaders.Expert] = entry.Expert;
        await (feature.Request!.Stream
            ? CachedResponseWriter.WriteEventStreamAsync(context, entry, keys.IncludeUsage)
            : CachedResponseWriter.WriteJsonAsync(context, entry));
        // After the answer is written, so the ledger's round trip never delays a hit.
        await savings.RecordAsync(feature.Tenant.Id, new CacheSaving(entry.Expert, entry.PromptTokens, entry.CompletionTokens, saved));
    }

    private void Record(HttpContext context, IExpertRoutingFeature feature, CacheOutcome outcome, string tenant)
    {
        feature.Outcome.Cache = outcome;
        metrics.Lookup(outcome.Result, tenant);
        // Set when the response starts: a fallback between attempts clears the headers set before it.
        context.Response.OnStarting(static state =>
        {
            var (http, result) = ((HttpContext, string))state;
            http.Response.Headers[GatewayHeaders.Cache] = result;
            return Task.CompletedTask;
        }, (context, outcome.Result));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.SemanticHit, Level = LogLevel.Debug, Message = "Request {RequestId}: semantic cache hit (similarity {Similarity:F3}).")]
        public static partial void SemanticHit(ILogger logger, string requestId, float similarity);

        [LoggerMessage(EventId = LogEvents.CacheStoreFailed, Level = LogLevel.Warning, Message = "Request {RequestId}: the answer could not be stored in the cache.")]
        public static partial void StoreFailed(ILogger logger, string requestId, Exception exception);
    }
}
