using System.Diagnostics.Metrics;
using System.Text.Json;
using ExpertRouter.Core.Caching;
using ExpertRouter.Core.Ensembles;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Accounting.InProcess;
using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.Caching.Semantic;
using ExpertRouter.Gateway.Caching.Stores;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Ensembles;
using ExpertRouter.Gateway.Experts;
using ExpertRouter.Gateway.Pipeline;
using ExpertRouter.Gateway.Routing;
using ExpertRouter.Gateway.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ExpertRouter.Gateway.Tests.Pipeline;

/// <summary>The ensemble step with a strategy of the test's own: it stands where forwarding would, and leaves what the calls cost for the budget.</summary>
public sealed class EnsembleStepTests : IDisposable
{
    private static readonly ExpertDefinition A = new() { Id = "a", InputUsdPerMTok = 1, OutputUsdPerMTok = 1 };
    private static readonly ExpertDefinition B = new() { Id = "b", InputUsdPerMTok = 2, OutputUsdPerMTok = 2 };
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private bool _nextCalled;

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task PlanWithoutEnsemble_GoesOnToForwarding()
    {
        var context = StepContext.For(new TenantPolicy { Id = "t" }, Question(stream: false), A, B);

        await Step(new FixedStrategy("unused", "a")).InvokeAsync(context);

        Assert.True(_nextCalled);
    }

    [Fact]
    public async Task Ensemble_WritesTheStrategysAnswer_WithItsHeaders_AndNoCostWhenNoCallWasMade()
    {
        var context = StepContext.For(new TenantPolicy { Id = "t" }, Question(stream: false), Planned());

        await Step(new FixedStrategy("forty-two", "b")).InvokeAsync(context);

        Assert.False(_nextCalled);
        using var body = JsonDocument.Parse(context.Body());
        Assert.Equal("forty-two", body.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(("b", "vote;vote2", "test-router"), (context.Response.Headers["x-expertrouter-expert"].ToString(),
            context.Response.Headers["x-expertrouter-ensemble"].ToString(), context.Response.Headers["x-expertrouter-router"].ToString()));
        Assert.Equal("b", context.Feature().Outcome.Answered!.Value.Expert.Id);
        Assert.Null(context.Feature().Outcome.Usage);
    }

    [Fact]
    public async Task Ensemble_ForAStreamingClient_ReplaysTheAnswerAsChunks()
    {
        var context = StepContext.For(new TenantPolicy { Id = "t" }, Question(stream: true), Planned());

        await Step(new FixedStrategy("forty-two", "a")).InvokeAsync(context);

        var text = context.Body();
        Assert.Contains("chat.completion.chunk", text);
        Assert.Contains("forty-two", text);
        Assert.EndsWith("data: [DONE]\n\n", text);
    }

    private static string Question(bool stream) =>
        $$"""{"model":"ensemble/vote2","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""";

    private static RoutingPlan Planned() =>
        StepContext.Plan("test-router", A, B) with { Ensemble = new PlannedEnsemble("vote2", new EnsembleOptions { Mode = EnsembleMode.Vote, Size = 2 }) };

    private EnsembleStep Step(IEnsembleStrategy strategy)
    {
        var time = TimeProvider.System;
        var meters = _services.GetRequiredService<IMeterFactory>();
        var cacheMetrics = new CacheMetrics(meters);
        var settings = new CacheSettings();
        return new EnsembleStep(
            _ => { _nextCalled = true; return Task.CompletedTask; },
            new EnsembleStrategies([strategy]),
            new EnsembleCalls(null!, new ExpertCatalog([A, B]), NullLogger<EnsembleCalls>.Instance),
            _services,
            new ResponseCache(new InProcessResponseCacheStore(time, 10, 1 << 20), new InProcessSemanticIndex(time, 10), new HashedTextEmbedder(), time),
            cacheMetrics,
            new CacheSavings(cacheMetrics, new InProcessTenantAccounting(time), NullLogger<CacheSavings>.Instance),
            new ConfiguredTenantCachePolicy(settings),
            Options.Create(new GatewayOptions()),
            new GatewayMetrics(meters),
            time,
            NullLogger<EnsembleStep>.Instance);
    }

    /// <summary>A vote that makes no call and always answers <paramref name="text"/> in <paramref name="expert"/>'s name.</summary>
    private sealed class FixedStrategy(string text, string expert) : IEnsembleStrategy
    {
        public EnsembleMode Mode => EnsembleMode.Vote;

        public Task<EnsembleOutcome> RunAsync(EnsembleContext context, CancellationToken cancellationToken) =>
            Task.FromResult(new EnsembleOutcome(text, expert, "fixed"));
    }
}
