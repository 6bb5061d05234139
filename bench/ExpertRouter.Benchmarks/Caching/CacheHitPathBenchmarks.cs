using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using ExpertRouter.Core.Caching;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Accounting.InProcess;
using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.Caching.Replay;
using ExpertRouter.Gateway.Caching.Semantic;
using ExpertRouter.Gateway.Caching.Stores;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Experts;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Pipeline;
using ExpertRouter.Gateway.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExpertRouter.Benchmarks.Caching;

/// <summary>
/// What a hit adds to a request: the cache step on a parsed request, from key to written answer (JSON, or the
/// answer replayed as server-sent events), with the in-process store, and the saving recorded in the in-process
/// ledger. Nothing after the step runs on a hit.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class CacheHitPathBenchmarks
{
    private static readonly TenantPolicy Tenant = new() { Id = "tenant-a" };
    private CacheStep _step = null!;
    private OpenAIRequest _request = null!;
    private RoutingPlan _plan = null!;
    private ServiceProvider _services = null!;

    [Params(false, true)]
    public bool Stream { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var settings = new CacheSettings();
        var store = new InProcessResponseCacheStore(TimeProvider.System, settings.MaxEntries, settings.MaxBytes);
        var cache = new ResponseCache(store, new InProcessSemanticIndex(TimeProvider.System, settings.MaxEntries), new HashedTextEmbedder(), TimeProvider.System);
        var catalog = new ExpertCatalog([new ExpertDefinition { Id = "gpt-4o-2024-08-06", InputUsdPerMTok = 2.5, OutputUsdPerMTok = 10 }]);
        var ranking = catalog.All.Select(e => new ExpertScore(e, double.NaN, 0, 0)).ToArray();
        _plan = new RoutingPlan { Router = RoutingPlan.DirectRouter, Ranking = ranking, Fallbacks = ranking };
        var metrics = new CacheMetrics(_services.GetRequiredService<IMeterFactory>());
        _step = new CacheStep(
            _ => throw new InvalidOperationException("A hit must not reach an expert."),
            cache, new SingleFlight(), new ConfiguredTenantCachePolicy(settings), catalog,
            metrics, new CacheSavings(metrics, new InProcessTenantAccounting(TimeProvider.System), NullLogger<CacheSavings>.Instance), settings,
            new CacheEmbedders(settings, new HashedTextEmbedder(), NullLogger.Instance), NullLogger<CacheStep>.Instance);

        var body = CacheBenchmarkRequests.Chat(turns: 1, "And why are sunsets red?", Stream);
        _request = OpenAIRequestParser.Parse(body, OpenAIEndpoint.ChatCompletions).Request!;
        var answer = string.Concat(Enumerable.Repeat("Sunlight crosses more air at dusk, so blue scatters away. ", 8));
        var completion = CompletionAssembler.FromJson(System.Text.Encoding.UTF8.GetBytes(
            $$$"""{"id":"c","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"{{{answer}}}"},"finish_reason":"stop"}],"usage":{"prompt_tokens":60,"completion_tokens":90,"total_tokens":150}}"""))!;
        var keys = CacheKeyBuilder.Build(Tenant.Id, body, withScope: false);
        cache.StoreAsync(Tenant.Id, keys, completion, "gpt-4o-2024-08-06", "And why are sunsets red?", TimeSpan.FromHours(1), null, CancellationToken.None)
            .AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark]
    public async Task<int> Hit()
    {
        var context = new DefaultHttpContext();
        context.Response.Body = System.IO.Stream.Null;
        context.Features.Set<IExpertRoutingFeature>(new ExpertRoutingFeature(Tenant, "req_bench") { Request = _request, Plan = _plan });
        await _step.InvokeAsync(context);
        return context.Response.StatusCode;
    }
}
