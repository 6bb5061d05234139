using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Evaluation.Harness;
using ExpertRouter.Evaluation.Routers;

namespace ExpertRouter.Evaluation.Tests.Routers;

public sealed class BlendedRouterTrainerTests
{
    private static readonly IReadOnlyList<RoutingRecord> Train = Fixtures.Records(60);
    private static readonly IReadOnlyList<RoutingRecord> Test = Fixtures.Records(10, "dev", 200);

    private static RouterTrainerRegistry Registry(params IRouterTrainer[] extra) =>
        new(RouterTrainerRegistry.Baselines(() => Test).Concat(extra));

    private static async Task<QualityMatrix> PredictAsync(IRouterTrainer trainer) =>
        await QualityMatrix.PredictAsync(
            trainer.Train(new RouterTrainingSet(Train, Fixtures.Experts, 3), CancellationToken.None), Test, Fixtures.Experts, null, CancellationToken.None);

    private static IRouterTrainer Only(string names)
    {
        var trainers = Registry(new FixedRouterTrainer("fixed", [0.2, double.NaN, 0.6])).Resolve(names, out var unknown);
        Assert.Empty(unknown);
        return Assert.Single(trainers);
    }

    [Fact]
    public async Task Blend_OfTwoRouters_IsTheMeanOfTheirPredictions()
    {
        var blend = await PredictAsync(Only("knn+logreg"));
        var knn = await PredictAsync(Only("knn"));
        var logreg = await PredictAsync(Only("logreg"));

        for (var i = 0; i < blend.Values.Length; i++)
        {
            Assert.Equal((knn.Values[i] + logreg.Values[i]) / 2, blend.Values[i], 12);
        }
    }

    [Fact]
    public async Task Blend_WithWeights_NormalisesThemAndKeepsTheRequestedName()
    {
        var trainer = Only("knn:1+task-label:3");
        var blend = await PredictAsync(trainer);
        var knn = await PredictAsync(Only("knn"));
        var taskLabel = await PredictAsync(Only("task-label"));

        Assert.Equal("knn:1+task-label:3", trainer.Name);
        Assert.Equal([("knn", 0.25), ("task-label", 0.75)], ((BlendedRouterTrainer)trainer).Parts);
        for (var i = 0; i < blend.Values.Length; i++)
        {
            Assert.Equal(0.25 * knn.Values[i] + 0.75 * taskLabel.Values[i], blend.Values[i], 12);
        }
    }

    [Fact]
    public async Task Blend_WherePartHasNoOpinion_UsesTheOthersAlone()
    {
        var quality = new double[3];
        var router = Only("fixed+fixed:3").Train(new RouterTrainingSet(Train, Fixtures.Experts, 3), CancellationToken.None);

        await router.EstimateQualityAsync(new RoutingQuery("anything"), Fixtures.Experts, quality, CancellationToken.None);

        Assert.Equal(0.2, quality[0], 12);
        Assert.True(double.IsNaN(quality[1]));
        Assert.Equal(0.6, quality[2], 12);

        var mixed = Only("fixed+best-single").Train(new RouterTrainingSet(Train, Fixtures.Experts, 3), CancellationToken.None);
        var best = Only("best-single").Train(new RouterTrainingSet(Train, Fixtures.Experts, 3), CancellationToken.None);
        var bestQuality = new double[3];
        await mixed.EstimateQualityAsync(new RoutingQuery("anything"), Fixtures.Experts, quality, CancellationToken.None);
        await best.EstimateQualityAsync(new RoutingQuery("anything"), Fixtures.Experts, bestQuality, CancellationToken.None);
        Assert.Equal(bestQuality[1], quality[1], 12);
        Assert.Equal((0.2 + bestQuality[0]) / 2, quality[0], 12);
    }

    [Theory]
    [InlineData("knn+nope", "'nope' is not a registered router")]
    [InlineData("knn:-1+logreg", "weight '-1' of 'knn' is not a positive number")]
    [InlineData("knn:abc+logreg", "weight 'abc' of 'knn' is not a positive number")]
    [InlineData("oracle+knn", "the oracle reads the test outcomes")]
    [InlineData("knn+", "'' is not a registered router")]
    public void Resolve_MalformedBlend_IsReportedWithItsReason(string names, string reason)
    {
        var trainers = Registry().Resolve($"random,{names}", out var unknown);

        Assert.Equal(["random"], trainers.Select(t => t.Name));
        var message = Assert.Single(unknown);
        Assert.StartsWith(names, message, StringComparison.Ordinal);
        Assert.Contains(reason, message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_All_HasNoBlends()
    {
        var registry = Registry();

        var all = registry.Resolve("all", out var unknown);

        Assert.Empty(unknown);
        Assert.Equal(registry.Names, all.Select(t => t.Name));
        Assert.DoesNotContain(all, t => t is BlendedRouterTrainer);
    }

    private sealed class FixedRouterTrainer(string name, double[] values) : IRouterTrainer
    {
        public string Name => name;

        public IRouter Train(RouterTrainingSet training, CancellationToken cancellationToken) => new Fixed(name, values);

        private sealed class Fixed(string name, double[] values) : IRouter
        {
            public string Name => name;

            public ValueTask EstimateQualityAsync(
                RoutingQuery query, IReadOnlyList<ExpertDefinition> candidates, Memory<double> quality, CancellationToken cancellationToken)
            {
                values.CopyTo(quality.Span);
                return ValueTask.CompletedTask;
            }
        }
    }
}
