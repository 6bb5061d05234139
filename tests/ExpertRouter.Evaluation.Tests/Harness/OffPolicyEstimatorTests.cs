using ExpertRouter.Core.Feedback;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Evaluation.Harness;
using ExpertRouter.Evaluation.Importers;

namespace ExpertRouter.Evaluation.Tests.Harness;

public sealed class OffPolicyEstimatorTests
{
    private static readonly double[] AlwaysTiny = [0, 0, 1];

    [Fact]
    public void Evaluate_WeightsEachObservedChoiceByItsInversePropensity()
    {
        // tiny's outcome was observed for certain on p0 (score 0) and with probability 0.25 on p1 (score 1); on p2 not at all.
        RoutingRecord Record(int i, double? tinyScore, double propensity) => Fixtures.Record(i, "test") with
        {
            Outcomes = tinyScore is { } s
                ? new Dictionary<string, RecordedOutcome> { ["tiny"] = new() { Score = s, OutputTokensEst = 80, Propensity = propensity } }
                : new Dictionary<string, RecordedOutcome> { ["big"] = new() { Score = 1, OutputTokensEst = 80, Propensity = 1 } },
        };
        var table = new OutcomeTable([Record(0, 0, 1), Record(1, 1, 0.25), Record(2, null, 1)], Fixtures.Experts);
        var quality = new QualityMatrix(3, 3, [.. AlwaysTiny, .. AlwaysTiny, .. AlwaysTiny]);

        var setting = SweepEvaluator.Evaluate(table, quality, [0.0]).Settings[0];

        Assert.True(table.OffPolicy);
        // SNIPS: (1·0 + 4·1) / (1 + 4) = 0.8, where the unweighted mean of what was seen is 0.5; p2 counts for nothing.
        Assert.Equal(0.8, setting.Point.Score, 12);
        Assert.Equal([2, 2, -1], setting.Scored);
        Assert.Equal(25.0 / 17, setting.EffectiveSampleSize, 12);
    }

    [Fact]
    public void Evaluate_ExplorationLogOfAPopulation_EstimatesEachExpertsTrueMean()
    {
        // A population where big is always right, mathy right on math, tiny on a third; the router always served tiny,
        // explored 20% of requests, and then asked one of the two others (selection probability 1/2).
        var random = new Random(11);
        var population = Fixtures.Records(3000, "test");
        var explorations = population.Where(_ => random.NextDouble() < 0.2).Select((r, i) =>
        {
            var other = random.NextDouble() < 0.5 ? "big" : "mathy";
            var outcomes = r.Outcomes.Where(o => o.Key == "tiny" || o.Key == other)
                .ToDictionary(o => o.Key, o => new ExplorationOutcome { Score = o.Value.Score, OutputTokensEst = o.Value.OutputTokensEst });
            return new ExplorationRecord
            {
                Id = $"ex-{i}", Task = "t", Prompt = r.Prompt, Served = "tiny", SamplingProbability = 0.2, SelectionProbability = 0.5,
                Outcomes = outcomes,
            };
        }).ToArray();
        var table = new OutcomeTable(LearningLogImporter.Test(new LearningLog([], explorations)), Fixtures.Experts);

        var singles = SingleExperts.Compute(table, Fixtures.Records(30));

        Assert.Equal(1.0, singles.Experts[0].Point.Score, 12);
        var mathy = population.Where(r => r.Outcomes.ContainsKey("mathy")).Average(r => r.Outcomes["mathy"].Score);
        var tiny = population.Average(r => r.Outcomes["tiny"].Score);
        Assert.InRange(singles.Experts[1].Point.Score, mathy - 0.05, mathy + 0.05);
        Assert.InRange(singles.Experts[2].Point.Score, tiny - 0.05, tiny + 0.05);
    }

    [Fact]
    public void Evaluate_RecordedData_IsAReplayNotAnEstimate()
    {
        var table = new OutcomeTable(Fixtures.Records(4), Fixtures.Experts);

        var setting = SweepEvaluator.Evaluate(table, new QualityMatrix(4, 3, [.. AlwaysTiny, .. AlwaysTiny, .. AlwaysTiny, .. AlwaysTiny]), [0.0]).Settings[0];

        Assert.False(table.OffPolicy);
        Assert.True(double.IsNaN(setting.EffectiveSampleSize));
    }
}
