using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Serving;
using ExpertRouter.Irt.Tests.Reading;
using Microsoft.Extensions.Logging;

namespace ExpertRouter.Irt.Tests.Serving;

public sealed class IrtSkillRouterTests
{
    private static readonly Lazy<(string Folder, ExpertRouter.Irt.Building.IrtBuild Build)> Trained = new(() =>
    {
        var build = SyntheticRouting.Train(members: 2);
        return (SyntheticRouting.WriteFolder(build), build);
    });

    private static string[] Prompts(int count)
    {
        var random = new Random(11);
        return Enumerable.Range(0, count).Select(i => SyntheticRouting.Prompt(i % 3, i % 4 == 0, random) + new string('!', i % 7)).ToArray();
    }

    [Fact]
    public async Task PredictAsync_ConcurrentCallsBatched_GiveTheSameScoresAsSingleCalls()
    {
        var prompts = Prompts(48);
        var logger = new RecordingLogger();
        await using var single = IrtSkillRouter.Load(Trained.Value.Folder, new OnnxServingOptions { MaxBatchSize = 1, HashedScoring = OnnxServingOptions.Onnx }, logger);
        await using var batched = IrtSkillRouter.Load(Trained.Value.Folder, new OnnxServingOptions { MaxBatchSize = 16, MaxBatchWaitMicroseconds = 5000, HashedScoring = OnnxServingOptions.Onnx }, logger);
        var one = new List<float[]>();
        foreach (var prompt in prompts)
        {
            one.Add(await single.PredictAsync(prompt));
        }

        var together = await Task.WhenAll(prompts.Select(p => Task.Run(() => batched.PredictAsync(p))));

        for (var i = 0; i < prompts.Length; i++)
        {
            var reference = Trained.Value.Build.Predict(prompts[i]);
            for (var m = 0; m < reference.Length; m++)
            {
                Assert.InRange(together[i][m] - one[i][m], -1e-6f, 1e-6f);
                Assert.InRange(one[i][m] - reference[m], -1e-5f, 1e-5f);
            }
        }
    }

    [Fact]
    public async Task PredictBatch_LargerThanOneRun_IsCutIntoRunsThatScoreLikeSingleCalls()
    {
        // Short prompts, an empty one and a long one, which padding keeps out of the short prompts' runs.
        var prompts = Prompts(24).Select((p, i) => i switch
        {
            5 => "",
            12 => p + string.Concat(Enumerable.Range(0, 400).Select(k => $" term{k}x{k * 7919 % 1000}")),
            _ => string.Join(' ', Enumerable.Repeat(p, 1 + i % 3)),
        }).ToArray();
        var features = prompts.Select(p => Trained.Value.Build.Featurizer.Featurize(p)).ToArray();
        var runs = HashedPromptScorerTests.Runs(features, flattened: false);

        Assert.True(runs.Count >= 2, $"the batch must need several runs (runs: {string.Join(", ", runs)})");
        Assert.Contains(runs, run => run.End > 6);
        await using var router = IrtSkillRouter.Load(Trained.Value.Folder, new OnnxServingOptions { HashedScoring = OnnxServingOptions.Onnx }, new RecordingLogger());

        var batch = router.PredictBatch(prompts);

        for (var i = 0; i < prompts.Length; i++)
        {
            var single = await router.PredictAsync(prompts[i]);
            var reference = Trained.Value.Build.Predict(prompts[i]);
            for (var m = 0; m < reference.Length; m++)
            {
                Assert.InRange(batch[i][m] - single[m], -1e-6f, 1e-6f);
                Assert.InRange(single[m] - reference[m], -1e-5f, 1e-5f);
            }
        }
    }

    [Fact]
    public async Task EstimateQualityAsync_MapsCandidatesById_AndHasNoOpinionOfUnknownExperts()
    {
        await using var router = IrtSkillRouter.Load(Trained.Value.Folder, new OnnxServingOptions(), new RecordingLogger());
        ExpertDefinition[] candidates = [new() { Id = "unknown" }, new() { Id = "bio" }, new() { Id = "strong" }];
        var quality = new double[3];
        var prompt = Prompts(1)[0];

        await router.EstimateQualityAsync(new RoutingQuery(prompt), candidates, quality, CancellationToken.None);

        var expected = Trained.Value.Build.Predict(prompt);
        Assert.True(double.IsNaN(quality[0]));
        Assert.Equal(expected[2], quality[1], 5);
        Assert.Equal(expected[0], quality[2], 5);
        Assert.Equal("synthetic", router.Name);
    }

    [Fact]
    public async Task Load_WithCudaRequestedOnACpuBuild_FallsBackToCpuWithOneWarning()
    {
        var logger = new RecordingLogger();

        await using var router = IrtSkillRouter.Load(Trained.Value.Folder, new OnnxServingOptions { ExecutionProvider = OnnxServingOptions.Cuda }, logger);
        var scores = await router.PredictAsync(Prompts(1)[0]);

        var warnings = logger.Entries.Count(e => e.Level == LogLevel.Warning);
        if (router.Provider == OnnxServingOptions.Cpu)
        {
            Assert.Equal(1, warnings);
            Assert.Contains("CUDA", logger.Entries.Single(e => e.Level == LogLevel.Warning).Message);
        }
        else
        {
            // A machine with the GPU build of ONNX Runtime really serves on CUDA and has nothing to warn about.
            Assert.Equal(0, warnings);
        }

        Assert.Equal(4, scores.Length);
    }

    [Fact]
    public async Task ShippedRouter_ManagedAndOnnx_ScoreEveryConversationAsTheJoinedStringWas()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "routers", "irt-ze12");
        var manifest = RouterManifest.Load(folder);
        var featurizer = new HashedNgramFeaturizer(manifest.Encoder.HashedNgrams!, manifest.ReadingPolicy.MaxFeatures);
        var model = File.ReadAllBytes(Path.Combine(folder, manifest.Model));
        var experts = manifest.Experts.Count;
        var (scorer, reason) = ManagedIrtScorer.TryCreate(model, featurizer, experts);
        Assert.True(scorer is not null, reason);
        var reference = new ReferencePromptReader(manifest.ReadingPolicy, manifest.Encoder.HashedNgrams!.MaxChars);
        ExpertDefinition[] candidates = [.. manifest.Experts.Select(e => new ExpertDefinition { Id = e.Id })];
        await using var managed = IrtSkillRouter.Load(folder, new OnnxServingOptions(), new RecordingLogger());
        await using var onnx = IrtSkillRouter.Load(folder, new OnnxServingOptions { HashedScoring = OnnxServingOptions.Onnx }, new RecordingLogger());
        Assert.Equal("managed", managed.Scoring);
        Assert.Equal("onnx", onnx.Scoring);
        var expected = new float[experts];
        var quality = new double[experts];
        foreach (var conversation in ReadingCases.Conversations())
        {
            var joined = reference.Read(conversation);
            scorer.Score(featurizer.Featurize(joined), expected);

            var predicted = await managed.PredictAsync(conversation);
            await managed.EstimateQualityAsync(new RoutingQuery(joined) { Conversation = conversation }, candidates, quality, CancellationToken.None);
            var fromOnnx = await onnx.PredictAsync(conversation);
            var fromOnnxBatch = onnx.PredictBatch([joined]);

            Assert.Equal(expected, predicted);
            Assert.Equal(expected.Select(p => (double)p), quality);
            // ONNX Runtime reads the features of the text read in place as those of the joined string.
            Assert.Equal(fromOnnxBatch[0], fromOnnx);
            for (var m = 0; m < experts; m++)
            {
                Assert.InRange(fromOnnx[m] - expected[m], -ScorerProbes.Tolerance, ScorerProbes.Tolerance);
            }
        }
    }

    [Fact]
    public void Load_WithInvalidOptions_ListsEveryProblem()
    {
        var error = Assert.Throws<ArgumentException>(() => IrtSkillRouter.Load(
            Trained.Value.Folder,
            new OnnxServingOptions { ExecutionProvider = "Tpu", MaxBatchSize = 0, MaxBatchWaitMicroseconds = -1, HashedScoring = "Gpu" },
            new RecordingLogger()));

        Assert.Contains("ExecutionProvider", error.Message);
        Assert.Contains("MaxBatchSize", error.Message);
        Assert.Contains("MaxBatchWaitMicroseconds", error.Message);
        Assert.Contains("HashedScoring", error.Message);
    }

    [Fact]
    public void Calibration_ForCostTargets_StaysWithinTheTargetAndSpendsMoreForLooserTargets()
    {
        var calibration = Trained.Value.Build.Calibration;

        var tight = calibration.ForCostFraction(0.3);
        var loose = calibration.ForCostFraction(0.9);
        var dollars = calibration.ForUsdPer1k(calibration.BestExpertUsdPer1k * 0.5);

        Assert.Equal("strong", calibration.BestExpert);
        Assert.True(tight.CostFraction <= 0.3);
        Assert.True(loose.CostFraction <= 0.9 && loose.CostFraction >= tight.CostFraction);
        Assert.True(loose.Lambda <= tight.Lambda);
        Assert.True(dollars.UsdPer1k <= calibration.BestExpertUsdPer1k * 0.5);
    }
}
