using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Evaluation.Harness;
using ExpertRouter.Evaluation.Routers;

namespace ExpertRouter.Evaluation.Tests.Harness;

public sealed class CrossValidationTests
{
    [Fact]
    public void Split_EveryRecordIsTestedExactlyOnceAndNeverTrainedOnInItsFold()
    {
        var records = Fixtures.Records(60);

        var folds = CrossValidation.Split(records, 5, seed: 3);

        Assert.Equal(5, folds.Count);
        Assert.Equal(records.Select(r => r.Id).Order(), folds.SelectMany(f => f.Test).Select(r => r.Id).Order());
        foreach (var (train, test) in folds)
        {
            Assert.NotEmpty(test);
            Assert.Equal(records.Count, train.Count + test.Count);
            Assert.Empty(train.Select(r => r.Id).Intersect(test.Select(r => r.Id)));
        }
    }

    [Fact]
    public void Split_IdenticalPromptTexts_ShareAFold()
    {
        var records = Fixtures.Records(40).Concat(Fixtures.Records(40).Select(r => r with { Id = r.Id + "-copy" })).ToArray();

        var folds = CrossValidation.Split(records, 4, seed: 9);

        foreach (var (train, test) in folds)
        {
            Assert.Empty(train.Select(r => r.Prompt).Intersect(test.Select(r => r.Prompt)));
        }
    }

    [Fact]
    public void Split_AnotherSeed_GivesOtherFolds()
    {
        var records = Fixtures.Records(60);

        var first = CrossValidation.Split(records, 5, seed: 1)[0].Test.Select(r => r.Id);
        var second = CrossValidation.Split(records, 5, seed: 2)[0].Test.Select(r => r.Id);

        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task EvaluateAsync_EveryRouterSeesTheSameFoldsAndGetsOneRowPerFold()
    {
        var records = Fixtures.Records(80);
        var seen = new List<(string Router, int Train)>();
        var trainers = new IRouterTrainer[] { new RecordingTrainer("a", seen), new RecordingTrainer("b", seen) };

        var result = await new CrossValidation(new CrossValidationOptions { Folds = 4, Settings = 5 })
            .EvaluateAsync("fixture", records, _ => Fixtures.Experts, trainers, CancellationToken.None);

        Assert.Equal(8, result.Cells.Count);
        Assert.Equal(seen.Where(s => s.Router == "a").Select(s => s.Train), seen.Where(s => s.Router == "b").Select(s => s.Train));
        Assert.Equal(records.Count, result.Cells.Where(c => c.Router == "a").Sum(c => c.TestPrompts));
        Assert.All(result.Summaries(), s => Assert.Equal(4, s.Folds));
    }

    [Fact]
    public void Summary_AFoldThatNeverMatches_CountsAsTheFullCostAndIsCounted()
    {
        FoldMetrics Fold(int k, double? cost) => new(k, "r", 10, 2, "big", 0.5 + k * 0.1, 0.5, cost, 0.5, 1);

        var summary = CrossValidationSummary.Of("r", [Fold(0, 0.2), Fold(1, null), Fold(2, 0.5)]);

        Assert.Equal(1, summary.FoldsNeverMatching);
        Assert.Equal((0.2 + 1.0 + 0.5) / 3, summary.CostToMatchBest.Mean, 12);
        Assert.Equal(0.6, summary.Aiq.Mean, 12);
        Assert.Equal(0.1, summary.Aiq.Std, 12);
    }

    [Fact]
    public void PairedAiqDifference_RemovesWhatTheFoldsMoveInBoth()
    {
        FoldMetrics Fold(string router, int k, double aiq) => new(k, router, 10, 2, "big", aiq, 0.5, 0.5, 0.5, 1);
        var cells = new[] { Fold("knn", 0, 0.80), Fold("knn", 1, 0.90), Fold("new", 0, 0.81), Fold("new", 1, 0.91), Fold("mf", 0, 0.70), Fold("mf", 1, 0.95) };
        var result = new CrossValidationResult("p", 4, new CrossValidationOptions(), ["knn", "new", "mf"], cells);

        var difference = result.PairedAiqDifference("new", "knn");

        Assert.Equal("knn", result.StrongestBaseline());
        Assert.Equal(0.01, difference.Mean, 12);
        Assert.Equal(0, difference.Std, 12);
        Assert.True(result.Summaries().Single(s => s.Router == "new").Aiq.Std > 0.07);
    }

    /// <summary>Records the training-set size of each fold it is trained on and predicts every expert's mean.</summary>
    private sealed class RecordingTrainer(string name, List<(string Router, int Train)> seen) : IRouterTrainer
    {
        public string Name => name;

        public IRouter Train(RouterTrainingSet training, CancellationToken cancellationToken)
        {
            seen.Add((name, training.Records.Count));
            return new MeanRouter(training.Experts.Select(e => SingleExperts.TrainMean(training.Records, e.Id)).ToArray());
        }
    }

    private sealed class MeanRouter(double[] means) : IRouter
    {
        public string Name => "mean";

        public ValueTask EstimateQualityAsync(RoutingQuery query, IReadOnlyList<ExpertDefinition> candidates, Memory<double> quality, CancellationToken cancellationToken)
        {
            means.AsSpan(0, candidates.Count).CopyTo(quality.Span);
            return ValueTask.CompletedTask;
        }
    }
}
