using ExpertRouter.Evaluation.Data;
using ExpertRouter.Irt.Building;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Serving;

namespace ExpertRouter.Irt.Training.Tests.Training;

/// <summary>Outcome weights (from logged feedback and exploration) are weights in the loss, not decoration.</summary>
public sealed class WeightedOutcomesTests
{
    [Fact]
    public void Build_WeightedOutcomes_CarryTheirWeightsAndDropZeroWeights()
    {
        var record = new RoutingRecord
        {
            Prompt = "p",
            Outcomes = new Dictionary<string, RecordedOutcome>
            {
                ["strong"] = new() { Score = 1, Weight = 2.5 },
                ["mathy"] = new() { Score = 0, Weight = 0 },
                ["bio"] = new() { Score = 1 },
            },
        };

        var example = Assert.Single(IrtDataset.Build([record], ["strong", "mathy", "bio"], _ => new HashedFeatures([1], [1f])));

        Assert.Equal([0, 2], example.Experts);
        Assert.Equal([2.5f, 1f], example.Weights!);
        Assert.Equal(3.5f, example.TotalWeight);
    }

    [Fact]
    public void Build_UnweightedOutcomes_HaveNoWeights()
    {
        var example = IrtDataset.Build(SyntheticRouting.Records(3, 1), ["strong"], _ => new HashedFeatures([1], [1f]))[0];

        Assert.Null(example.Weights);
    }

    [Fact]
    public void Train_ConflictingScores_FollowTheHeavierWeight()
    {
        // Every prompt is seen twice with opposite scores for "mathy": which one wins is the weights' choice alone.
        var heavyRight = Train(rightWeight: 4, wrongWeight: 1);
        var heavyWrong = Train(rightWeight: 1, wrongWeight: 4);
        var probe = SyntheticRouting.Records(30, seed: 8, split: "dev");

        var right = probe.Average(r => heavyRight.Predict(r.Prompt)[1]);
        var wrong = probe.Average(r => heavyWrong.Predict(r.Prompt)[1]);

        Assert.True(right > 0.65, $"mathy with right answers weighted 4:1 predicted {right:F3}");
        Assert.True(wrong < 0.35, $"mathy with wrong answers weighted 4:1 predicted {wrong:F3}");
    }

    private static IrtBuild Train(double rightWeight, double wrongWeight)
    {
        var records = SyntheticRouting.Records(200, 3).SelectMany(r => new[]
        {
            r with { Outcomes = Outcomes(r, 1, rightWeight) },
            r with { Id = r.Id + "-again", Outcomes = Outcomes(r, 0, wrongWeight) },
        }).ToArray();
        return IrtBuild.Run(new IrtBuildRequest
        {
            Train = records,
            Experts = SyntheticRouting.Experts,
            Hashed = new HashedNgramOptions { Buckets = 1024 },
            Options = new IrtTrainingOptions { Seed = 5, Epochs = 8, EmbeddingSize = 8, AbilityDimensions = 4, LearningRate = 0.01f },
            Members = 1,
        });
    }

    private static Dictionary<string, RecordedOutcome> Outcomes(RoutingRecord record, double mathyScore, double weight) =>
        record.Outcomes.ToDictionary(
            o => o.Key,
            o => o.Key == "mathy" ? new RecordedOutcome { Score = mathyScore, OutputTokensEst = 100, Weight = weight } : o.Value,
            StringComparer.Ordinal);
}
