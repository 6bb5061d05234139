using System.Diagnostics.Metrics;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Experts;
using ExpertRouter.Gateway.Pipeline;
using ExpertRouter.Gateway.Routing;
using ExpertRouter.Gateway.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExpertRouter.Gateway.Tests.Pipeline;

public sealed class PlanStepTests : IDisposable
{
    private static readonly ExpertDefinition Expert = new() { Id = "e", InputUsdPerMTok = 1, OutputUsdPerMTok = 1 };
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private bool _nextCalled;

    public void Dispose() => _services.Dispose();

    private PlanStep Step() => new(
        _ => { _nextCalled = true; return Task.CompletedTask; },
        new RoutingPlanner(new ExpertCatalog([Expert]), new RouterRegistry([new CheapestRouter()]), new EnsembleCatalog(new Dictionary<string, EnsembleOptions>()),
            new GatewayMetrics(_services.GetRequiredService<IMeterFactory>()), TimeProvider.System, NullLogger<RoutingPlanner>.Instance));

    [Fact]
    public async Task Decided_LeavesThePlanOnTheFeature()
    {
        var context = StepContext.For(new TenantPolicy { Id = "t" }, """{"model":"auto","messages":[{"role":"user","content":"hi"}]}""", plan: null);

        await Step().InvokeAsync(context);

        Assert.True(_nextCalled);
        Assert.Equal(("cheapest", "e"), (context.Feature().Plan!.Router, context.Feature().Plan!.First.Expert.Id));
    }

    [Fact]
    public async Task Refused_WritesTheClientsError_AndGoesNoFurther()
    {
        var context = StepContext.For(new TenantPolicy { Id = "t" }, """{"model":"nobody","messages":[{"role":"user","content":"hi"}]}""", plan: null);

        await Step().InvokeAsync(context);

        Assert.False(_nextCalled);
        Assert.Equal(404, context.Response.StatusCode);
        Assert.Null(context.Feature().Plan);
    }
}
