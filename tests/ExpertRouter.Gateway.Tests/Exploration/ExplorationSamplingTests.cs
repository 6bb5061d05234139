using System.Net;
using System.Text;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Exploration;
using ExpertRouter.Gateway.Tests.Functional;
using ExpertRouter.Gateway.Tests.RequestLog;

namespace ExpertRouter.Gateway.Tests.Exploration;

/// <summary>Sampling at the tenant's rate, from a seeded source: the same seed samples the same requests.</summary>
public sealed class ExplorationSamplingTests : IDisposable
{
    private readonly LogFolder _log = new();

    public void Dispose() => _log.Dispose();

    [Fact]
    public async Task Requests_AreSampledAtTheRate_FromTheSeededSource()
    {
        const int requests = 40;
        var tenant = new TenantPolicy { Exploration = new ExplorationPolicy { Rate = 0.5, Judge = "s-judge", DailyBudgetUsd = 1 } };
        var replay = new ExplorationSampler(42);
        var expected = Enumerable.Range(0, requests).Count(_ => replay.Sample(tenant));
        await using var gateway = await new GatewayBuilder()
            .SimulatedExpert("s-cheap", 0.1, "yes")
            .SimulatedExpert("s-dear", 1, "no")
            .SimulatedExpert("s-judge", 0.01, "1")
            .Tenant("half", "sk-sampling-half", allowed: ["s-cheap", "s-dear"],
                policy: [("Exploration:Rate", "0.5"), ("Exploration:Judge", "s-judge"), ("Exploration:DailyBudgetUsd", "1")])
            .Setting("Exploration:Seed", "42")
            .Setting("RequestLog:Directory", _log.Path)
            .StartAsync();
        using var client = gateway.CreateClient("sk-sampling-half");

        for (var i = 0; i < requests; i++)
        {
            using var response = await client.PostAsync("/v1/chat/completions",
                new StringContent($$"""{"model":"auto","messages":[{"role":"user","content":"question {{i}}"}]}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var records = await LogFolder.UntilAsync(() => _log.Requests() is { Count: requests } all ? all : null, $"{requests} request records");
        var sampled = records.Count(r => r.ExplorationRate == 0.5);
        Assert.Equal(expected, sampled);
        Assert.InRange(sampled, 8, 32);
        Assert.Equal(expected, gateway.Services.GetRequiredService<ExplorationMetrics>().SampledTotal);
    }

    private static readonly ExpertDefinition[] Candidates = [.. new[] { "a", "b", "new-1", "c", "d", "new-2" }.Select(id => new ExpertDefinition { Id = id })];

    [Fact]
    public void Select_TakesTheExpertsTheRouterCannotScoreFirst_ThenDrawsUniformly_WithEachOnesProbability()
    {
        var sampler = new ExplorationSampler(7);
        var picks = new Dictionary<string, int>(StringComparer.Ordinal);
        const int draws = 4000;

        for (var i = 0; i < draws; i++)
        {
            var selection = sampler.Select(Candidates, 3, e => e.Id.StartsWith("new", StringComparison.Ordinal));
            Assert.Equal(["new-1", "new-2"], selection.Experts.Take(2).Select(e => e.Id).Order());
            Assert.Equal(3, selection.Experts.Count);
            Assert.Equal(1, selection.Probabilities["new-1"]);
            Assert.Equal(0.25, selection.Probabilities[selection.Experts[2].Id]);
            foreach (var expert in selection.Experts)
            {
                picks[expert.Id] = picks.GetValueOrDefault(expert.Id) + 1;
            }
        }

        foreach (var known in new[] { "a", "b", "c", "d" })
        {
            Assert.InRange(picks[known] / (double)draws, 0.22, 0.28);
        }
    }

    [Fact]
    public void ScarcelyLabelled_IsBelowHalfTheMedian_AndNothingWhenTheCountsAreAlikeOrAbsent()
    {
        var retrained = new Dictionary<string, int> { ["a"] = 1600, ["b"] = 1580, ["c"] = 1610, ["newcomer"] = 290, ["half"] = 800 };

        Assert.Equal(["newcomer"], ExplorationSampler.ScarcelyLabelled(retrained));
        Assert.Empty(ExplorationSampler.ScarcelyLabelled(new Dictionary<string, int> { ["a"] = 1600, ["b"] = 1000, ["c"] = 900 }));
        Assert.Empty(ExplorationSampler.ScarcelyLabelled(new Dictionary<string, int> { ["a"] = 10 }));
        Assert.Empty(ExplorationSampler.ScarcelyLabelled(new Dictionary<string, int>()));
        // An even count's median is the middle two's mean: (600 + 1000) / 2 = 800, so 600 is not below 400, and 0 is.
        Assert.Equal(["zero"], ExplorationSampler.ScarcelyLabelled(new Dictionary<string, int> { ["zero"] = 0, ["x"] = 600, ["y"] = 1000, ["z"] = 1000 }));
    }

    [Fact]
    public void Select_WithMoreUnscoredExpertsThanSlots_DrawsAmongThemOnly()
    {
        var selection = new ExplorationSampler(3).Select(Candidates, 1, e => e.Id.StartsWith("new", StringComparison.Ordinal));

        Assert.StartsWith("new", Assert.Single(selection.Experts).Id, StringComparison.Ordinal);
        Assert.Equal(0.5, Assert.Single(selection.Probabilities).Value);
    }
}
