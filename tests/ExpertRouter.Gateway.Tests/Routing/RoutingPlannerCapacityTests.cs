using System.Diagnostics.Metrics;
using System.Text;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Experts;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Routing;
using ExpertRouter.Gateway.Telemetry;
using ExpertRouter.Gateway.Tests.Capacity;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExpertRouter.Gateway.Tests.Routing;

/// <summary>Capacity in the plan: who is passed over before any call, and who goes first among near-equals.</summary>
public sealed class RoutingPlannerCapacityTests : IDisposable
{
    private static readonly ExpertDefinition Cheap = CapacityHarness.Expert("cheap", rpm: 2) with { InputUsdPerMTok = 0.1, OutputUsdPerMTok = 0.1 };
    private static readonly ExpertDefinition Mid = CapacityHarness.Expert("mid") with { InputUsdPerMTok = 1, OutputUsdPerMTok = 1 };
    private static readonly ExpertDefinition Dear = CapacityHarness.Expert("dear") with { InputUsdPerMTok = 20, OutputUsdPerMTok = 20 };
    private static readonly ExpertDefinition TwinA = CapacityHarness.Expert("twin-a", rpm: 10) with { InputUsdPerMTok = 0.5, OutputUsdPerMTok = 0.5 };
    private static readonly ExpertDefinition TwinB = CapacityHarness.Expert("twin-b", rpm: 10) with { InputUsdPerMTok = 0.5, OutputUsdPerMTok = 0.5 };

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly CapacityHarness _capacity;
    private readonly RoutingPlanner _planner;

    public RoutingPlannerCapacityTests()
    {
        ExpertDefinition[] experts = [Cheap, Mid, Dear, TwinA, TwinB];
        _capacity = new CapacityHarness(experts);
        _planner = new RoutingPlanner(
            new ExpertCatalog(experts), new RouterRegistry([new CheapestRouter()]), new EnsembleCatalog(new Dictionary<string, EnsembleOptions>()),
            new GatewayMetrics(_services.GetRequiredService<IMeterFactory>()), _capacity.Time, NullLogger<RoutingPlanner>.Instance,
            new CapacityShaping(_capacity.Tracker, _capacity.Options));
    }

    public void Dispose()
    {
        _capacity.Dispose();
        _services.Dispose();
    }

    [Fact]
    public async Task Auto_FirstChoiceAtItsQuota_IsPassedOverForCapacityBeforeAnyCall()
    {
        await SaturateAsync(Cheap, 2);

        var plan = await PlanAsync(Tenant(allowed: ["cheap", "mid", "dear"]), "auto");

        Assert.Equal(["mid", "dear"], plan.Ranking.Select(s => s.Expert.Id));
        Assert.Equal(plan.Ranking, plan.Fallbacks);
        Assert.Contains(new PassedOver("cheap", PassReason.Capacity), plan.PassedOver);
        Assert.Equal([new PassedOver("cheap", PassReason.Capacity)], plan.Bypassed);
    }

    [Fact]
    public async Task Auto_EveryCandidateOverCapacity_KeepsThePlanForTheInvokerToRefuse()
    {
        await SaturateAsync(Cheap, 2);

        var plan = await PlanAsync(Tenant(allowed: ["cheap"]), "auto");

        Assert.Equal(["cheap"], plan.Ranking.Select(s => s.Expert.Id));
        Assert.Empty(plan.Bypassed);
    }

    [Fact]
    public async Task Auto_SlowFirstChoice_IsPassedOverForLatency()
    {
        RecordLatency(Cheap, 800);

        var plan = await PlanAsync(Tenant(allowed: ["cheap", "mid", "dear"]) with { MaxLatencyMs = 500 }, "auto");

        Assert.Equal(["mid", "dear"], plan.Ranking.Select(s => s.Expert.Id));
        Assert.Equal([new PassedOver("cheap", PassReason.Latency)], plan.Bypassed);
    }

    [Fact]
    public async Task Auto_NoCandidateMeetsTheLatencyTarget_KeepsTheRouterOrder()
    {
        RecordLatency(Cheap, 800);
        RecordLatency(Mid, 900);

        var plan = await PlanAsync(Tenant(allowed: ["cheap", "mid"]) with { MaxLatencyMs = 500 }, "auto");

        Assert.Equal(["cheap", "mid"], plan.Ranking.Select(s => s.Expert.Id));
        Assert.DoesNotContain(plan.PassedOver, p => p.Reason == PassReason.Latency);
    }

    [Fact]
    public async Task Auto_WithoutLatencyTarget_SlowExpertStaysFirst()
    {
        RecordLatency(Cheap, 5_000);

        var plan = await PlanAsync(Tenant(allowed: ["cheap", "mid"]), "auto");

        Assert.Equal("cheap", plan.First.Expert.Id);
    }

    [Fact]
    public async Task Auto_NearEqualTwins_SpreadByHeadroom()
    {
        var tenant = Tenant(allowed: ["twin-a", "twin-b"]);
        var firsts = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var plan = await PlanAsync(tenant, "auto");
            firsts.Add(plan.First.Expert.Id);
            Assert.True((await _capacity.TakeAsync(plan.First.Expert)).Granted);
            Assert.Empty(plan.Bypassed);
        }

        Assert.Equal(["twin-a", "twin-b", "twin-a", "twin-b", "twin-a", "twin-b"], firsts);
    }

    [Fact]
    public async Task Auto_DearerCandidateWithMoreHeadroom_IsNotPreferred()
    {
        await SaturateAsync(Cheap, 1);

        var plan = await PlanAsync(Tenant(allowed: ["cheap", "mid"]), "auto");

        // Both tie on utility under the cheapest router; mid costs 10x: spreading must not undo the cost ranking.
        Assert.Equal("cheap", plan.First.Expert.Id);
    }

    [Fact]
    public async Task Named_ExpertAtItsQuota_HandsOverToTheTenantsFallbackChain()
    {
        await SaturateAsync(Cheap, 2);

        var plan = await PlanAsync(Tenant() with { FallbackChain = ["dear"] }, "cheap");

        Assert.Equal(["dear"], plan.Fallbacks.Select(s => s.Expert.Id));
        Assert.Equal([new PassedOver("cheap", PassReason.Capacity)], plan.Bypassed);
    }

    [Fact]
    public async Task Named_ExpertAtItsQuotaWithoutAChain_StaysForTheInvokerToRefuse()
    {
        await SaturateAsync(Cheap, 2);

        var plan = await PlanAsync(Tenant(), "cheap");

        Assert.Equal(["cheap"], plan.Fallbacks.Select(s => s.Expert.Id));
    }

    private async Task SaturateAsync(ExpertDefinition expert, int requests)
    {
        for (var i = 0; i < requests; i++)
        {
            Assert.True((await _capacity.TakeAsync(expert)).Granted);
        }
    }

    private void RecordLatency(ExpertDefinition expert, int milliseconds)
    {
        for (var i = 0; i < _capacity.Options.MinLatencySamples; i++)
        {
            _capacity.Tracker.RecordFirstToken(expert, TimeSpan.FromMilliseconds(milliseconds));
        }
    }

    private static TenantPolicy Tenant(IReadOnlyList<string>? allowed = null) => new() { Id = "t", Router = "cheapest", AllowedExperts = allowed ?? [] };

    private async Task<RoutingPlan> PlanAsync(TenantPolicy tenant, string model)
    {
        var json = $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""";
        var request = OpenAIRequestParser.Parse(Encoding.UTF8.GetBytes(json), OpenAIEndpoint.ChatCompletions).Request!;
        var (plan, error) = await _planner.PlanAsync(tenant, request, "req", CancellationToken.None);
        Assert.Null(error);
        return plan!;
    }
}
