using System.Diagnostics.Metrics;
using System.Text;
using ExpertRouter.Core.Ensembles;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Experts;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Routing;
using ExpertRouter.Gateway.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExpertRouter.Gateway.Tests.Routing;

/// <summary>The decision alone: which experts a request may use, their order, who stands in, why others were left out.</summary>
public sealed class RoutingPlannerTests : IDisposable
{
    private static readonly ExpertDefinition Cheap = new() { Id = "cheap", InputUsdPerMTok = 0.1, OutputUsdPerMTok = 0.1 };
    private static readonly ExpertDefinition Mid = new() { Id = "mid", InputUsdPerMTok = 1, OutputUsdPerMTok = 1 };
    private static readonly ExpertDefinition Dear = new() { Id = "dear", InputUsdPerMTok = 20, OutputUsdPerMTok = 20, Capabilities = new() { ContextTokens = 1_000_000 } };
    private static readonly ExpertDefinition NoTools = new() { Id = "no-tools", InputUsdPerMTok = 0.05, OutputUsdPerMTok = 0.05, Capabilities = new() { Tools = false } };
    private static readonly ExpertDefinition Embedder = new() { Id = "embedder", Capabilities = new() { Chat = false, Embeddings = true } };

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly RoutingPlanner _planner;

    public RoutingPlannerTests()
    {
        var ensembles = new Dictionary<string, EnsembleOptions>
        {
            ["vote3"] = new() { Mode = EnsembleMode.Vote, Size = 3 },
            ["judged"] = new() { Mode = EnsembleMode.Judge, Size = 2, Judge = "dear" },
        };
        _planner = new RoutingPlanner(
            new ExpertCatalog([Cheap, Mid, Dear, NoTools, Embedder]), new RouterRegistry([new CheapestRouter()]), new EnsembleCatalog(ensembles),
            new GatewayMetrics(_services.GetRequiredService<IMeterFactory>()), TimeProvider.System, NullLogger<RoutingPlanner>.Instance);
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task Auto_RanksTheTenantsExperts_AndRecordsWhoWasLeftOutAndWhy()
    {
        var tenant = new TenantPolicy { Id = "t", Router = "cheapest", DeniedExperts = ["mid"] };

        var plan = await PlanAsync(tenant, """{"model":"auto","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f"}}]}""");

        Assert.Equal("cheapest", plan.Router);
        Assert.Equal(["cheap", "dear"], plan.Ranking.Select(s => s.Expert.Id));
        Assert.Equal(plan.Ranking, plan.Fallbacks);
        Assert.Contains(new PassedOver("mid", PassReason.NotAllowed), plan.PassedOver);
        Assert.Contains(new PassedOver("no-tools", PassReason.Unsupported), plan.PassedOver);
        Assert.Null(plan.Ensemble);
    }

    [Fact]
    public async Task NamedExpert_IsTriedFirst_ThenTheTenantsFallbackChainInOrder()
    {
        var tenant = new TenantPolicy { Id = "t", FallbackChain = ["dear", "cheap"] };

        var plan = await PlanAsync(tenant, Chat("mid"));

        Assert.True(plan.IsDirect);
        Assert.Equal(["mid", "dear", "cheap"], plan.Fallbacks.Select(s => s.Expert.Id));
        Assert.True(double.IsNaN(plan.First.PredictedQuality));
    }

    [Fact]
    public async Task FallbackChain_ReordersOnlyWhatComesAfterTheRoutersChoice()
    {
        var tenant = new TenantPolicy { Id = "t", Router = "cheapest", FallbackChain = ["dear"] };

        var plan = await PlanAsync(tenant, Chat("auto"));

        Assert.Equal(["no-tools", "cheap", "mid", "dear"], plan.Ranking.Select(s => s.Expert.Id));
        Assert.Equal(["no-tools", "dear", "cheap", "mid"], plan.Fallbacks.Select(s => s.Expert.Id));
    }

    [Fact]
    public async Task MaxFallbackCostRatio_LeavesOutFallbacksDearerThanTheBound()
    {
        var tenant = new TenantPolicy { Id = "t", Router = "cheapest", MaxFallbackCostRatio = 3 };

        var plan = await PlanAsync(tenant, Chat("auto"));

        Assert.Equal(["no-tools", "cheap"], plan.Fallbacks.Select(s => s.Expert.Id));
        Assert.Contains(new PassedOver("dear", PassReason.FallbackTooDear), plan.PassedOver);
        Assert.Contains(new PassedOver("mid", PassReason.FallbackTooDear), plan.PassedOver);
        Assert.Equal(4, plan.Ranking.Count);
    }

    [Fact]
    public async Task PromptLongerThanEveryContextWindow_IsContextLengthExceeded()
    {
        var tenant = new TenantPolicy { Id = "t", Router = "cheapest", DeniedExperts = ["dear"] };
        var longPrompt = new string('x', 4 * 200_000);

        var routed = await ErrorAsync(tenant, Chat("auto", longPrompt));
        var named = await ErrorAsync(tenant, Chat("cheap", longPrompt));

        Assert.Equal((400, "context_length_exceeded", "messages"), (routed.StatusCode, routed.Code, routed.Param));
        Assert.Equal((400, "context_length_exceeded"), (named.StatusCode, named.Code));
    }

    [Fact]
    public async Task PromptTooLongForSomeExperts_LeavesOnlyThoseOut()
    {
        var plan = await PlanAsync(new TenantPolicy { Id = "t", Router = "cheapest" }, Chat("auto", new string('x', 4 * 200_000)));

        Assert.Equal(["dear"], plan.Ranking.Select(s => s.Expert.Id));
        Assert.Contains(new PassedOver("cheap", PassReason.ContextTooLong), plan.PassedOver);
    }

    [Theory]
    [InlineData("nope", 404, "model_not_found")]
    [InlineData("router/nope", 404, "model_not_found")]
    [InlineData("ensemble/nope", 404, "model_not_found")]
    [InlineData("embedder", 400, "model_not_supported")]
    public async Task BadModel_IsTheClientsError(string model, int status, string code)
    {
        var error = await ErrorAsync(new TenantPolicy { Id = "t" }, Chat(model));

        Assert.Equal((status, code), (error.StatusCode, error.Code));
    }

    [Fact]
    public async Task NamedExpertNotAllowed_IsForbidden()
    {
        var error = await ErrorAsync(new TenantPolicy { Id = "t", AllowedExperts = ["cheap"] }, Chat("mid"));

        Assert.Equal(403, error.StatusCode);
    }

    [Fact]
    public async Task Ensemble_IsPlanned_WithItsOptions_AndRankedByTheTenantsRouter()
    {
        var plan = await PlanAsync(new TenantPolicy { Id = "t", Router = "cheapest" }, Chat("ensemble/vote3"));

        Assert.Equal(("vote3", EnsembleMode.Vote, 3), (plan.Ensemble!.Name, plan.Ensemble.Options.Mode, plan.Ensemble.Options.Size));
        Assert.Equal("cheapest", plan.Router);
    }

    [Fact]
    public async Task Ensemble_WhoseJudgeTheTenantMayNotUse_IsForbidden()
    {
        var error = await ErrorAsync(new TenantPolicy { Id = "t", DeniedExperts = ["dear"] }, Chat("ensemble/judged"));

        Assert.Equal(403, error.StatusCode);
    }

    [Fact]
    public async Task TenantDefaultEnsemble_AnswersAuto_ButNotANamedExpert()
    {
        var tenant = new TenantPolicy { Id = "t", Router = "cheapest", Ensemble = new EnsemblePolicy { Enabled = true, Strategy = "vote", MaxExperts = 2 } };

        var auto = await PlanAsync(tenant, Chat("auto"));
        var named = await PlanAsync(tenant, Chat("cheap"));

        Assert.Equal((EnsembleCatalog.TenantDefaultName, EnsembleMode.Vote, 2), (auto.Ensemble!.Name, auto.Ensemble.Options.Mode, auto.Ensemble.Options.Size));
        Assert.Null(named.Ensemble);
    }

    private static string Chat(string model, string content = "hi") =>
        $$"""{"model":"{{model}}","messages":[{"role":"user","content":"{{content}}"}]}""";

    private async Task<RoutingPlan> PlanAsync(TenantPolicy tenant, string json)
    {
        var (plan, error) = await _planner.PlanAsync(tenant, Parse(json), "req", CancellationToken.None);
        Assert.Null(error);
        return plan!;
    }

    private async Task<Core.OpenAI.ApiError> ErrorAsync(TenantPolicy tenant, string json)
    {
        var (plan, error) = await _planner.PlanAsync(tenant, Parse(json), "req", CancellationToken.None);
        Assert.Null(plan);
        return error!;
    }

    private static OpenAIRequest Parse(string json) => OpenAIRequestParser.Parse(Encoding.UTF8.GetBytes(json), OpenAIEndpoint.ChatCompletions).Request!;
}
