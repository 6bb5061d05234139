using System.Text;
using System.Text.Json;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Gateway.Routing;
using ExpertRouter.Gateway.Tests.Functional;
using ExpertRouter.Gateway.Tests.RequestLog;
using ExpertRouter.Irt.Serving;
using ExpertRouter.Testing;

namespace ExpertRouter.Gateway.Tests.Exploration;

/// <summary>
/// Exploration asks first for the experts the serving router learned from the fewest prompts, as its folder records
/// them: after a retrain on a few hundred explored prompts, the newcomer keeps getting labels.
/// </summary>
public sealed class ExplorationLabelsTests : IDisposable
{
    private const string Key = "sk-explore-labels";
    private readonly TempFolder _router = new();
    private readonly LogFolder _log = new();

    public void Dispose()
    {
        _router.Dispose();
        _log.Dispose();
    }

    [Fact]
    public async Task TheScarcelyLabelledExpert_IsExploredOnEveryRequest_WithProbabilityOne()
    {
        // ex-mid and ex-dear are scored alike; the folder says the router learned ex-dear from 90 prompts, the others from ~1,500.
        WriteFolder("""[{"id":"ex-cheap","labels":1500},{"id":"ex-mid","labels":1480},{"id":"ex-dear","labels":90}]""");
        await using var gateway = await Gateway();

        var explored = await ExploreAsync(gateway, requests: 12);

        Assert.All(explored, r => Assert.Equal(["ex-cheap", "ex-dear"], r.Outcomes.Keys.Order(StringComparer.Ordinal)));
        Assert.All(explored, r => Assert.Equal(1.0, r.SelectionProbabilities!["ex-dear"]));
    }

    [Fact]
    public async Task WithoutRecordedCounts_BothOthersAreDrawn_HalfEach()
    {
        WriteFolder("""[{"id":"ex-cheap"},{"id":"ex-mid"},{"id":"ex-dear"}]""");
        await using var gateway = await Gateway();

        var explored = await ExploreAsync(gateway, requests: 24);

        var dear = explored.Count(r => r.Outcomes.ContainsKey("ex-dear"));
        Assert.InRange(dear, 3, 21);
        Assert.All(explored, r => Assert.Equal(0.5, Assert.Single(r.SelectionProbabilities!).Value));
    }

    private Task<GatewayHost> Gateway() => new GatewayBuilder()
        .SimulatedExpert("ex-cheap", 0.1, "Paris")
        .SimulatedExpert("ex-mid", 0.5, "Paris, France")
        .SimulatedExpert("ex-dear", 2, "Lyon")
        .SimulatedExpert("ex-judge", 0.01, "0.75")
        .Setting("Routers:0:Path", _router.Path)
        .Setting("DefaultRouter", "labelled")
        .Setting("Exploration:Seed", "5")
        .Setting("Exploration:MaxOutputTokens", "64")
        .Setting("RequestLog:Directory", _log.Path)
        .Tenant("labels", Key, router: "labelled", allowed: ["ex-cheap", "ex-mid", "ex-dear"],
            ("Exploration:Rate", "1"), ("Exploration:Judge", "ex-judge"), ("Exploration:DailyBudgetUsd", "10"), ("Exploration:MaxExperts", "1"))
        .Services(s => s.AddSingleton<RouterFolderLoader>((_, _) => new EvenRouter()))
        .StartAsync();

    private async Task<IReadOnlyList<Core.Feedback.ExplorationRecord>> ExploreAsync(GatewayHost gateway, int requests)
    {
        using var client = gateway.CreateClient(Key);
        for (var i = 0; i < requests; i++)
        {
            using var response = await client.PostAsync("/v1/chat/completions", new StringContent(
                $$"""{"model":"auto","messages":[{"role":"user","content":{{JsonSerializer.Serialize($"Question {i}?")}}}]}""", Encoding.UTF8, "application/json"));
            response.EnsureSuccessStatusCode();
        }

        return await LogFolder.UntilAsync(() => _log.Explorations() is { } all && all.Count == requests ? all : null, $"{requests} exploration records");
    }

    private void WriteFolder(string experts)
    {
        File.WriteAllText(Path.Combine(_router.Path, "model.onnx"), "");
        File.WriteAllText(Path.Combine(_router.Path, RouterManifest.FileName),
            $$"""{"format":"{{RouterManifest.CurrentFormat}}","name":"labelled","version":"1","encoder":{},"experts":{{experts}}}""");
    }

    /// <summary>Scores every expert alike, so the cheapest is served and exploration's choice is the folder's counts alone.</summary>
    private sealed class EvenRouter : IRouter
    {
        public string Name => "labelled";

        public ValueTask EstimateQualityAsync(RoutingQuery query, IReadOnlyList<ExpertDefinition> candidates, Memory<double> quality, CancellationToken cancellationToken)
        {
            quality.Span[..candidates.Count].Fill(0.8);
            return ValueTask.CompletedTask;
        }
    }
}
