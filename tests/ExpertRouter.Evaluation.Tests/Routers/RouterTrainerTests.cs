using ExpertRouter.Core.Routing;
using ExpertRouter.Evaluation.Harness;
using ExpertRouter.Evaluation.Routers;

namespace ExpertRouter.Evaluation.Tests.Routers;

public sealed class RouterTrainerTests
{
    private static readonly IReadOnlyList<ExpertRouter.Evaluation.Data.RoutingRecord> Train = Fixtures.Records(60);
    private static readonly IReadOnlyList<ExpertRouter.Evaluation.Data.RoutingRecord> Test = Fixtures.Records(10, "dev", 200);

    public static TheoryData<string> Names() => new(Registry().Names);

    private static RouterTrainerRegistry Registry() => new(RouterTrainerRegistry.Baselines(() => Test));

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Train_EveryRouterPredictsAQualityInUnitRangeForEveryExpert(string name)
    {
        Assert.True(Registry().TryGet(name, out var trainer));
        var router = trainer.Train(new RouterTrainingSet(Train, Fixtures.Experts, 1), CancellationToken.None);

        var quality = await QualityMatrix.PredictAsync(router, Test, Fixtures.Experts, null, CancellationToken.None);

        Assert.Equal(name, router.Name);
        Assert.All(quality.Values, q => Assert.InRange(q, 0, 1));
    }

    [Theory]
    [InlineData(KnnRouterTrainer.RouterName)]
    [InlineData(LogisticRouterTrainer.RouterName)]
    [InlineData(MatrixFactorizationRouterTrainer.RouterName)]
    [InlineData(TaskLabelRouterTrainer.RouterName)]
    public async Task Train_LearnedRoutersPreferMathyOnMathAndNotOnCode(string name)
    {
        Assert.True(Registry().TryGet(name, out var trainer));
        var router = trainer.Train(new RouterTrainingSet(Train, Fixtures.Experts, 1), CancellationToken.None);

        var quality = await QualityMatrix.PredictAsync(router, Test, Fixtures.Experts, null, CancellationToken.None);

        var math = Enumerable.Range(0, Test.Count).Where(p => Test[p].Task == "math").Average(p => quality.Row(p)[1]);
        var code = Enumerable.Range(0, Test.Count).Where(p => Test[p].Task == "code").Average(p => quality.Row(p)[1]);
        Assert.True(math > code + 0.3, $"{name}: mathy predicted {math:F2} on math, {code:F2} on code");
    }

    [Fact]
    public async Task Oracle_PredictsTheRecordedScoreAndNaNWhereMissing()
    {
        Assert.True(Registry().TryGet(OracleRouterTrainer.RouterName, out var trainer));
        var router = trainer.Train(new RouterTrainingSet(Train, Fixtures.Experts, 1), CancellationToken.None);
        var record = Fixtures.Record(5, "dev");
        var oracle = new OracleRouterTrainer(() => [record]).Train(new RouterTrainingSet(Train, Fixtures.Experts, 1), default);
        var quality = new double[3];

        await oracle.EstimateQualityAsync(new RoutingQuery(record.Prompt) { Id = record.Id }, Fixtures.Experts, quality, default);

        Assert.Equal([1.0, double.NaN, record.Outcomes["tiny"].Score], quality);
        Assert.Equal("oracle", router.Name);
    }

    [Fact]
    public async Task Routers_WriteNaNForCandidatesTheyNeverSaw()
    {
        var router = new BestSingleRouterTrainer().Train(new RouterTrainingSet(Train, Fixtures.Experts, 1), default);
        var candidates = new[] { Fixtures.Experts[0], new ExpertRouter.Core.Experts.ExpertDefinition { Id = "unknown" } };
        var quality = new double[2];

        await router.EstimateQualityAsync(new RoutingQuery("x"), candidates, quality, default);

        Assert.Equal(1.0, quality[0]);
        Assert.True(double.IsNaN(quality[1]));
    }

    [Fact]
    public void Registry_ResolvesNamesAndListsUnknownOnes()
    {
        var registry = Registry();

        var trainers = registry.Resolve("knn, Oracle,nope", out var unknown);

        Assert.Equal(["knn", "oracle"], trainers.Select(t => t.Name));
        Assert.Equal(["nope"], unknown);
        Assert.Equal(registry.Names.Count, registry.Resolve("all", out _).Count);
    }
}
