using ExpertRouter.Core.Routing;
using ExpertRouter.Evaluation.Harness;

namespace ExpertRouter.Evaluation.Tests.Harness;

public sealed class SweepEvaluatorTests
{
    [Fact]
    public void Evaluate_ChoosesWhatCostAwareRankingChooses()
    {
        var records = Fixtures.Records(12);
        var table = new OutcomeTable(records, Fixtures.Experts);
        var random = new Random(3);
        var values = Enumerable.Range(0, records.Count * 3)
            .Select(i => i % 7 == 0 ? double.NaN : Math.Round(random.NextDouble(), 1))
            .ToArray();
        var quality = new QualityMatrix(records.Count, 3, values);
        var lambdas = LambdaSchedule.Create(Fixtures.Experts, table.MeanPromptTokens, 9);

        var sweep = SweepEvaluator.Evaluate(table, quality, lambdas);

        foreach (var setting in sweep.Settings)
        {
            for (var p = 0; p < records.Count; p++)
            {
                var decision = CostAwareRanking.Rank("t", Fixtures.Experts, quality.Row(p), table.PromptTokens[p], setting.Lambda);
                Assert.Equal(decision.Chosen.Expert.Id, Fixtures.Experts[setting.Chosen[p]].Id);
                var firstWithOutcome = decision.Ranking.First(s => records[p].Outcomes.ContainsKey(s.Expert.Id));
                Assert.Equal(firstWithOutcome.Expert.Id, Fixtures.Experts[setting.Scored[p]].Id);
            }
        }
    }

    [Fact]
    public void Evaluate_ScoresTheNextRankedExpertWhenTheChoiceHasNoOutcome()
    {
        var records = Fixtures.Records(6);
        var table = new OutcomeTable(records, Fixtures.Experts);
        // Everyone prefers mathy, then tiny; mathy has no outcome on p5.
        var row = new double[] { 0.1, 0.9, 0.5 };
        var quality = new QualityMatrix(6, 3, Enumerable.Repeat(row, 6).SelectMany(r => r).ToArray());

        var setting = SweepEvaluator.Evaluate(table, quality, [0.0]).Settings[0];

        Assert.Equal(1, setting.Chosen[5]);
        Assert.Equal(2, setting.Scored[5]);
        Assert.Equal(records[5].Outcomes["tiny"].Score, setting.ScoreByPrompt[5]);
        var expectedCost = Fixtures.Experts[2].CostUsd(table.PromptTokens[5], 80) * 1000;
        Assert.Equal(expectedCost, setting.CostPer1KByPrompt[5], 12);
    }

    [Fact]
    public void LambdaSchedule_RunsFromCostOnlyToZeroAndDecreases()
    {
        var lambdas = LambdaSchedule.Create(Fixtures.Experts, 30, 21);

        Assert.Equal(21, lambdas.Length);
        Assert.Equal(LambdaSchedule.CostOnly, lambdas[0]);
        Assert.Equal(0, lambdas[^1]);
        Assert.All(lambdas.Zip(lambdas.Skip(1)), pair => Assert.True(pair.First > pair.Second));
    }

    [Fact]
    public void SingleExperts_BestIsHighestTrainMeanAndWeakIsCheapestAboveHalfway()
    {
        var train = Fixtures.Records(30);
        var table = new OutcomeTable(Fixtures.Records(10, "dev", 100), Fixtures.Experts);

        var singles = SingleExperts.Compute(table, train);

        Assert.Equal("big", singles.Best.Expert.Id);
        Assert.Equal(1.0, singles.Best.Point.Score);
        // Train means: big 1, mathy 15/29 (p5 missing), tiny ≈ 0.33 → halfway ≈ 0.67: no cheaper expert reaches it, so
        // the cheapest cheaper expert is the weak one.
        Assert.Equal("big", singles.Experts[singles.StrongIndex].Expert.Id);
        Assert.Equal("tiny", singles.Experts[singles.WeakIndex].Expert.Id);
        Assert.Equal(15.0 / 29, singles.Experts[1].TrainMean, 10);  // 15 math prompts among the 29 it answered
    }
}
