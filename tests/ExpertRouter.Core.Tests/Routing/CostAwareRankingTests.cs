using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;

namespace ExpertRouter.Core.Tests.Routing;

public sealed class CostAwareRankingTests
{
    private static readonly ExpertDefinition Strong = new() { Id = "strong", InputUsdPerMTok = 10, OutputUsdPerMTok = 30, ExpectedOutputTokens = 100 };
    private static readonly ExpertDefinition Weak = new() { Id = "weak", InputUsdPerMTok = 0.1, OutputUsdPerMTok = 0.3, ExpectedOutputTokens = 100 };

    [Fact]
    public void Rank_LambdaZero_PicksHighestQuality()
    {
        var decision = CostAwareRanking.Rank("r", [Weak, Strong], [0.6, 0.9], promptTokens: 100, lambda: 0);

        Assert.Equal("strong", decision.Chosen.Expert.Id);
        Assert.Equal(["strong", "weak"], decision.Ranking.Select(s => s.Expert.Id));
    }

    [Fact]
    public void Rank_CostPerThousandRequests_EntersUtilityScaledByLambda()
    {
        // strong: (100·10 + 100·30)/1e6 = 0.004 USD → $4 per 1k requests; weak: 0.00004 → $0.04 per 1k.
        var decision = CostAwareRanking.Rank("r", [Weak, Strong], [0.6, 0.9], promptTokens: 100, lambda: 0.1);

        var strong = decision.Ranking.Single(s => s.Expert.Id == "strong");
        Assert.Equal(0.004, strong.ExpectedCostUsd, 12);
        Assert.Equal(0.9 - 0.1 * 4, strong.Utility, 12);
        Assert.Equal("weak", decision.Chosen.Expert.Id);
    }

    [Fact]
    public void Rank_EqualUtility_BreaksTiesByCostThenId()
    {
        var twin = Weak with { Id = "aaa-twin" };

        var decision = CostAwareRanking.Rank("r", [Strong, Weak, twin], [0.5, 0.5, 0.5], promptTokens: 10, lambda: 0);

        Assert.Equal(["aaa-twin", "weak", "strong"], decision.Ranking.Select(s => s.Expert.Id));
    }

    [Fact]
    public void Rank_UnknownQuality_RanksLast()
    {
        var decision = CostAwareRanking.Rank("r", [Weak, Strong], [double.NaN, 0.1], promptTokens: 10, lambda: 0);

        Assert.Equal("strong", decision.Chosen.Expert.Id);
        Assert.True(double.IsNegativeInfinity(decision.Ranking[1].Utility));
    }

    [Fact]
    public void Rank_MismatchedLengths_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CostAwareRanking.Rank("r", [Weak], [0.1, 0.2], 1, 0));
    }

    [Fact]
    public async Task CheapestRouter_GivesEqualQuality_SoCostDecides()
    {
        var router = new CheapestRouter();
        var quality = new double[2];

        await router.EstimateQualityAsync(new RoutingQuery("hi"), [Strong, Weak], quality, CancellationToken.None);
        var decision = CostAwareRanking.Rank(router.Name, [Strong, Weak], quality, 10, lambda: 0);

        Assert.Equal(quality[0], quality[1]);
        Assert.Equal("weak", decision.Chosen.Expert.Id);
    }
}
