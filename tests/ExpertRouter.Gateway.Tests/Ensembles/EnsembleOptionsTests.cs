using ExpertRouter.Core.Ensembles;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Ensembles;
using ExpertRouter.Gateway.Routing;
using ExpertRouter.Gateway.Tests.Functional;

namespace ExpertRouter.Gateway.Tests.Ensembles;

public sealed class EnsembleOptionsTests
{
    [Fact]
    public void CollectProblems_ListsEveryProblemAtOnce()
    {
        var options = new EnsembleOptions
        {
            Mode = EnsembleMode.Judge, Size = 1, Margin = -1, VerifierThreshold = 2, CallTimeoutSeconds = 0,
            Extractor = "guess", Judge = "ghost", Aggregator = "known",
        };
        var problems = new List<string>();

        options.CollectProblems("bad/name", id => id == "known", problems);

        Assert.Equal(7, problems.Count);
        Assert.Contains(problems, p => p.Contains("contain no '/'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Size must be at least 2 for mode Judge", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Margin", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("VerifierThreshold", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("CallTimeoutSeconds", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Extractor 'guess'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Judge 'ghost' is not a configured chat expert", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Startup_InvalidEnsemble_FailsWithItsProblems()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayBuilder.StartAsync(new Dictionary<string, string?>
        {
            ["ExpertRouter:Ensembles:broken:Mode"] = "Moa",
            ["ExpertRouter:Ensembles:broken:Aggregator"] = "nobody",
        }));

        Assert.Contains("ExpertRouter:Ensembles:broken:Aggregator 'nobody' is not a configured chat expert", error.Message);
    }

    [Theory]
    [InlineData("BEST: 2", 3, 1)]
    [InlineData("best [3] because it is complete", 3, 2)]
    [InlineData("BEST: 4", 3, null)]
    [InlineData("Candidate 1 is good", 3, null)]
    public void ParseChoice_ReadsTheVerdict(string verdict, int candidates, int? expected) =>
        Assert.Equal(expected, JudgeStrategy.ParseChoice(verdict, candidates));

    [Fact]
    public void MaxCost_CoversEveryProposerAndTheJudgeReadingThemAll()
    {
        ExpertDefinition Expert(string id, double price) => new() { Id = id, InputUsdPerMTok = price, OutputUsdPerMTok = price, ExpectedOutputTokens = 100 };
        var ranking = new[] { Expert("a", 1), Expert("b", 2), Expert("c", 3), Expert("d", 4) }
            .Select(e => new ExpertScore(e, 0.5, 0, 0)).ToArray();
        var judge = Expert("j", 10);

        var plan = new RoutingPlan { Router = "r", Ranking = ranking, Fallbacks = ranking };

        var vote = EnsembleCostEstimate.MaxUsd(new EnsembleOptions { Mode = EnsembleMode.Vote, Size = 3 }, plan, 50, _ => null);
        var judged = EnsembleCostEstimate.MaxUsd(new EnsembleOptions { Mode = EnsembleMode.Judge, Size = 3, Judge = "j" }, plan, 50, _ => judge);

        Assert.Equal((150 * 1 + 150 * 2 + 150 * 3) / 1e6, vote, 12);
        Assert.Equal(vote + judge.CostUsd(50 + 300 + 200, 100), judged, 12);
    }

    [Fact]
    public void MaxCost_FanOut_CoversTheVoteOrTheDearestStandInOfTheSingleAnswer()
    {
        ExpertDefinition Expert(string id, double price) => new() { Id = id, InputUsdPerMTok = price, OutputUsdPerMTok = price, ExpectedOutputTokens = 100 };
        var ranking = new[] { Expert("a", 1), Expert("b", 2), Expert("c", 3), Expert("dear", 40) }
            .Select(e => new ExpertScore(e, 0.5, 0, 0)).ToArray();
        var options = new EnsembleOptions { Mode = EnsembleMode.FanOut, Size = 2 };

        var withoutChain = EnsembleCostEstimate.MaxUsd(options, new RoutingPlan { Router = "r", Ranking = ranking, Fallbacks = ranking }, 50, _ => null, maxFallbacks: 2);
        var chained = FallbackOrder.Apply(ranking, ["dear"]);
        var withChain = EnsembleCostEstimate.MaxUsd(options, new RoutingPlan { Router = "r", Ranking = ranking, Fallbacks = chained }, 50, _ => null, maxFallbacks: 2);

        Assert.Equal((150 * 1 + 150 * 2) / 1e6, withoutChain, 12);
        Assert.Equal(150 * 40 / 1e6, withChain, 12);
        Assert.Equal(["a", "dear", "b"], FanOutStrategy.SingleCandidates(ranking, ["dear"], 2).Select(s => s.Expert.Id));
    }
}
