using System.Diagnostics.Metrics;
using System.Text;
using ExpertRouter.Core.Caching;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Accounting.InProcess;
using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.Caching.Semantic;
using ExpertRouter.Gateway.Caching.Stores;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Experts;
using ExpertRouter.Gateway.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Gateway.Tests.Pipeline;

/// <summary>The cache step on its own, with a fake clock and a fake next step standing in for router and expert.</summary>
public sealed class CacheStepTests : IDisposable
{
    private const string Answer = """{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"four"},"finish_reason":"stop"}],"usage":{"prompt_tokens":60,"completion_tokens":90,"total_tokens":150}}""";

    private static readonly ExpertDefinition Pricey = new() { Id = "pricey", InputUsdPerMTok = 2.5, OutputUsdPerMTok = 10 };
    private static readonly ExpertDefinition Cheap = new() { Id = "cheap", InputUsdPerMTok = 0.1, OutputUsdPerMTok = 0.2 };
    private static readonly TenantPolicy Tenant = new() { Id = "t", Cache = new CachePolicy { TtlSeconds = 600 } };

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly CacheStep _step;
    private readonly InProcessTenantAccounting _accounting;
    private int _upstreamCalls;

    public CacheStepTests()
    {
        var settings = new CacheSettings();
        _accounting = new InProcessTenantAccounting(_time);
        var cache = new ResponseCache(
            new InProcessResponseCacheStore(_time, 100, 1 << 20), new InProcessSemanticIndex(_time, 100), new HashedTextEmbedder(), _time);
        var metrics = new CacheMetrics(_services.GetRequiredService<IMeterFactory>());
        _step = new CacheStep(Upstream, cache, new SingleFlight(), new ConfiguredTenantCachePolicy(settings), new ExpertCatalog([Pricey, Cheap]),
            metrics, new CacheSavings(metrics, _accounting, NullLogger<CacheSavings>.Instance), settings,
            new CacheEmbedders(settings, new HashedTextEmbedder(), NullLogger.Instance), NullLogger<CacheStep>.Instance);
    }

    public void Dispose() => _services.Dispose();

    /// <summary>Stands in for the steps after the cache: the plan's first expert answers 200 with <see cref="Answer"/>.</summary>
    private async Task Upstream(HttpContext context)
    {
        _upstreamCalls++;
        var feature = context.Features.GetRequiredFeature<IExpertRoutingFeature>();
        feature.Outcome.Answered = feature.Plan!.First;
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(Answer));
    }

    private async Task<HttpContext> SendAsync(params ExpertDefinition[] candidates)
    {
        var context = StepContext.For(Tenant, """{"model":"auto","temperature":0,"messages":[{"role":"user","content":"What is 2+2?"}]}""", candidates);
        await _step.InvokeAsync(context);
        return context;
    }

    [Fact]
    public async Task Hit_RecordsTheSavingInTheTenantsLedger_AndSpendsNothing()
    {
        await SendAsync(Pricey);
        await SendAsync(Pricey);
        await SendAsync(Pricey);

        var today = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        var ledger = await _accounting.GetLedgerAsync(Tenant.Id, today, today);
        var spend = await _accounting.GetSpendAsync(Tenant.Id);

        var line = Assert.Single(ledger);
        Assert.Equal(("pricey", 0L, 2L), (line.Expert, line.Requests, line.CacheHits));
        Assert.Equal(UsdNanos.FromUsdRounded(Pricey.CostUsd(60, 90)) * 2, line.SavedNanos);
        Assert.Equal(TenantSpend.None, spend);
    }

    [Fact]
    public async Task Hit_CostsNothing_AndRecordsWhatTheCachedExpertWouldHaveCharged()
    {
        var miss = await SendAsync(Pricey);
        var hit = await SendAsync(Pricey);

        Assert.Equal(CacheOutcome.Miss, miss.Feature().Outcome.Cache!.Result);
        var outcome = hit.Feature().Outcome.Cache!;
        Assert.Equal((CacheOutcome.Hit, "pricey", 60L, 90L), (outcome.Result, outcome.Expert, outcome.PromptTokens, outcome.CompletionTokens));
        Assert.Equal(Pricey.CostUsd(60, 90), outcome.SavedUsd, 12);
        Assert.Equal(Answer, hit.Body());
        Assert.Equal(1, _upstreamCalls);
    }

    [Fact]
    public async Task Entry_PastItsTtl_IsAMissAgain()
    {
        await SendAsync(Pricey);
        _time.Advance(TimeSpan.FromMinutes(9));
        var beforeExpiry = await SendAsync(Pricey);
        _time.Advance(TimeSpan.FromMinutes(1));
        var afterExpiry = await SendAsync(Pricey);

        Assert.Equal(CacheOutcome.Hit, beforeExpiry.Feature().Outcome.Cache!.Result);
        Assert.Equal(CacheOutcome.Miss, afterExpiry.Feature().Outcome.Cache!.Result);
        Assert.Equal(2, _upstreamCalls);
    }

    [Fact]
    public async Task Answer_FromAnExpertTheRequestMayNoLongerUse_IsNotServed()
    {
        await SendAsync(Pricey);
        var afterPolicyChange = await SendAsync(Cheap);

        Assert.Equal(CacheOutcome.Miss, afterPolicyChange.Feature().Outcome.Cache!.Result);
        Assert.Equal(2, _upstreamCalls);
    }
}
