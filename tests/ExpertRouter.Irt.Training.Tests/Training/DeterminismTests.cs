using ExpertRouter.Irt.Building;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Serving;
using ExpertRouter.Irt.Training;

namespace ExpertRouter.Irt.Training.Tests.Training;

public sealed class DeterminismTests
{
    [Fact]
    public void Build_TwiceWithTheSameSeed_WritesByteIdenticalFolders()
    {
        var first = SyntheticRouting.WriteFolder(SyntheticRouting.Train(seed: 8, members: 2));
        var second = SyntheticRouting.WriteFolder(SyntheticRouting.Train(seed: 8, members: 2));

        Assert.Equal(File.ReadAllBytes(Path.Combine(first, "model.onnx")), File.ReadAllBytes(Path.Combine(second, "model.onnx")));
        Assert.Equal(File.ReadAllText(Path.Combine(first, "router.json")), File.ReadAllText(Path.Combine(second, "router.json")));
    }

    [Fact]
    public void Build_WithAnotherSeed_GivesOtherWeights()
    {
        var first = SyntheticRouting.WriteFolder(SyntheticRouting.Train(seed: 8));
        var second = SyntheticRouting.WriteFolder(SyntheticRouting.Train(seed: 9));

        Assert.NotEqual(File.ReadAllBytes(Path.Combine(first, "model.onnx")), File.ReadAllBytes(Path.Combine(second, "model.onnx")));
    }

    [Fact]
    public void Build_MembersTrainedInParallel_EachEqualsItsSeedTrainedAlone()
    {
        var request = new IrtBuildRequest
        {
            Train = SyntheticRouting.Records(300, seed: 8),
            Experts = SyntheticRouting.Experts,
            Hashed = new HashedNgramOptions { Buckets = 512 },
            Options = new IrtTrainingOptions { Seed = 8, Epochs = 4, EmbeddingSize = 8, AbilityDimensions = 4 },
            Members = 3,
        };
        var ensemble = IrtBuild.Run(request).Ensemble;

        for (var i = 0; i < 3; i++)
        {
            var alone = IrtBuild.Run(request with { Members = 1, Options = request.Options with { Seed = 8 + i } }).Ensemble.Members[0];
            Assert.Equal(alone.All(), ensemble.Members[i].All());
        }
    }

    [Fact]
    public void Build_WithProgress_ReportsNonDecreasingFractionsEndingAtOne()
    {
        var reports = new List<double>();
        var progress = new ListProgress(reports);

        SyntheticRouting.Train(seed: 8, members: 3, progress: progress);

        Assert.NotEmpty(reports);
        Assert.Equal(reports.Order(), reports);
        Assert.Equal(1.0, reports[^1], 9);
    }

    [Fact]
    public void Build_WhenCancelled_ThrowsOperationCanceledRatherThanAnAggregate()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var request = new IrtBuildRequest
        {
            Train = SyntheticRouting.Records(60, seed: 8),
            Experts = SyntheticRouting.Experts,
            Hashed = new HashedNgramOptions { Buckets = 256 },
            Options = new IrtTrainingOptions { Seed = 8, Epochs = 2, EmbeddingSize = 4, AbilityDimensions = 2 },
            Members = 3,
        };

        Assert.ThrowsAny<OperationCanceledException>(() => IrtBuild.Run(request, cancelled.Token));
    }

    private sealed class ListProgress(List<double> reports) : IProgress<double>
    {
        public void Report(double value) => reports.Add(value);
    }
}
