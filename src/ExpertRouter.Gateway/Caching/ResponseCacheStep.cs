using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Caching.Replay;
using ExpertRouter.Gateway.Experts;
using ExpertRouter.Gateway.Pipeline;
using ExpertRouter.Gateway.Telemetry;
using Yarp.ReverseProxy.Forwarder;

namespace ExpertRouter.Gateway.Caching;

/// <summary>
/// Between policy and router: a hit is answered here (JSON, or replayed as a stream) and never reaches an expert;
/// identical requests in flight wait for the first one's answer; a miss is relayed as usual and its answer stored
/// when it completed with 200. Every chat response says what happened in <c>x-expertrouter-cache</c>.
/// </summary>
internal sealed partial class ResponseCacheStep(
    RequestDelegate next,
    ResponseCache cache,
    SingleFlight flights,
    ITenantCachePolicy policies,
    ExpertCatalog catalog,
    CacheMetrics metrics,
    CacheSavings savings,
    ResponseCacheSettings settings,
    ILogger<ResponseCacheStep> logger)
{
    public const string CacheHeader = "x-expertrouter-cache";

    public async Task InvokeAsync(HttpContext context)
    {
        var feature = context.Features.GetRequiredFeature<IExpertRoutingFeature>();
        var request = feature.Request!;
        if (request.Endpoint != OpenAIEndpoint.ChatCompletions)
        {
            await next(context);
            return;
        }

        var tenant = feature.Tenant.Id;
        var options = policies.For(feature.Tenant);
        var cacheControl = context.Request.Headers.CacheControl.ToString();
        // Keys cost a canonical JSON and two hashes: only requests the cache may keep pay for them.
        var keys = options.Enabled && (request.Deterministic || options.CacheNonDeterministic)
            && !cacheControl.Contains("no-store", StringComparison.OrdinalIgnoreCase)
            ? CacheKeyBuilder.Build(tenant, request.Body, options.Mode == CacheMode.Semantic && request.Prompt.Length > 0)
            : null;
        if (keys is null)
        {
            Record(context, new CacheOutcome(CacheOutcome.Bypass, null, 0, 0, 0), tenant);
            await next(context);
            return;
        }

        // The lookups get their own span; it ends before forwarding so route and upstream spans are not its children.
        var span = GatewayMetrics.ActivitySource.StartActivity("cache");
        span?.SetTag("expertrouter.request_id", feature.RequestId);
        var probe = keys.Scope is null ? null : cache.Probe(request.Prompt);
        var leader = false;
        CachedResponse? stored = null;
        try
        {
            if (!cacheControl.Contains("no-cache", StringComparison.OrdinalIgnoreCase))
            {
                if (Servable(feature, await cache.GetAsync(tenant, keys.Exact, context.RequestAborted)) is { } hit)
                {
                    EndSpan(ref span, CacheOutcome.Hit);
                    await ServeAsync(context, feature, hit, CacheOutcome.Hit, keys);
                    return;
                }

                if (probe is not null && await cache.FindSimilarAsync(tenant, keys.Scope!, probe, options.SemanticThreshold, context.RequestAborted) is { } similar
                    && Servable(feature, similar.Entry) is not null)
                {
                    Log.SemanticHit(logger, feature.RequestId, similar.Similarity);
                    EndSpan(ref span, CacheOutcome.SemanticHit);
                    await ServeAsync(context, feature, similar.Entry, CacheOutcome.SemanticHit, keys);
                    return;
                }

                (leader, var answer) = flights.Join(keys.Exact);
                // A leader that finished between the lookup above and joining has stored its answer: look again.
                var shared = Servable(feature, leader
                    ? await cache.GetAsync(tenant, keys.Exact, context.RequestAborted)
                    : await answer.WaitAsync(context.RequestAborted));
                if (shared is not null)
                {
                    EndSpan(ref span, CacheOutcome.Hit);
                    await ServeAsync(context, feature, shared, CacheOutcome.Hit, keys);
                    return;
                }
            }

            Record(context, new CacheOutcome(CacheOutcome.Miss, null, 0, 0, 0), tenant);
            EndSpan(ref span, CacheOutcome.Miss);
            stored = await ForwardAndStoreAsync(context, feature, keys, options, probe);
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

    private async Task<CachedResponse?> ForwardAndStoreAsync(
        HttpContext context, IExpertRoutingFeature feature, CacheKeys keys, CacheOptions options, SemanticProbe? probe)
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

        if (CompletedAnswer(context, feature, capture) is not { } completion)
        {
            return null;
        }

        try
        {
            var entry = await cache.StoreAsync(
                feature.Tenant.Id, keys, completion, feature.Chosen!.Value.Expert.Id, feature.Request!.Prompt, options.Ttl, probe, CancellationToken.None);
            metrics.Stored(cache.Store.Name);
            return entry;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The client already has its answer; failing to keep a copy must not turn into an error.
            Log.StoreFailed(logger, feature.RequestId, ex);
            return null;
        }
    }

    /// <summary>The relayed answer when it is a complete success worth keeping; null otherwise.</summary>
    private static CapturedCompletion? CompletedAnswer(HttpContext context, IExpertRoutingFeature feature, ResponseCaptureStream capture)
    {
        var response = context.Response;
        if (response.StatusCode != StatusCodes.Status200OK || capture.Overflowed || feature.Chosen is null
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

    /// <summary>
    /// An answer from an expert the request may no longer use (the tenant's policy changed since) is not served.
    /// </summary>
    private static CachedResponse? Servable(IExpertRoutingFeature feature, CachedResponse? entry) =>
        entry is not null && feature.Candidates.Any(c => string.Equals(c.Id, entry.Expert, StringComparison.Ordinal)) ? entry : null;

    private async Task ServeAsync(HttpContext context, IExpertRoutingFeature feature, CachedResponse entry, string result, CacheKeys keys)
    {
        var saved = catalog.TryGet(entry.Expert, out var expert) ? expert.CostUsd(entry.PromptTokens, entry.CompletionTokens) : 0;
        Record(context, new CacheOutcome(result, entry.Expert, entry.PromptTokens, entry.CompletionTokens, saved), feature.Tenant.Id);
        context.Response.Headers[ForwardingTransforms.ExpertHeader] = entry.Expert;
        await (feature.Request!.Stream
            ? CachedResponseWriter.WriteEventStreamAsync(context, entry, keys.IncludeUsage)
            : CachedResponseWriter.WriteJsonAsync(context, entry));
        // After the answer is written, so the ledger's round trip never delays a hit.
        await savings.RecordAsync(feature.Tenant.Id, new CacheSaving(entry.Expert, entry.PromptTokens, entry.CompletionTokens, saved));
    }

    private void Record(HttpContext context, CacheOutcome outcome, string tenant)
    {
        context.Features.Set(outcome);
        metrics.Lookup(outcome.Result, tenant);
        // Set when the response starts: a fallback between attempts clears the headers set before it.
        context.Response.OnStarting(static state =>
        {
            var (http, result) = ((HttpContext, string))state;
            http.Response.Headers[CacheHeader] = result;
            return Task.CompletedTask;
        }, (context, outcome.Result));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 50, Level = LogLevel.Debug, Message = "Request {RequestId}: semantic cache hit (similarity {Similarity:F3}).")]
        public static partial void SemanticHit(ILogger logger, string requestId, float similarity);

        [LoggerMessage(EventId = 51, Level = LogLevel.Warning, Message = "Request {RequestId}: the answer could not be stored in the cache.")]
        public static partial void StoreFailed(ILogger logger, string requestId, Exception exception);
    }
}
