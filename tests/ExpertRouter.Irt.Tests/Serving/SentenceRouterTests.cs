using ExpertRouter.Irt.Building;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Serving;
using ExpertRouter.Irt.Training;
using Microsoft.Extensions.Logging;

namespace ExpertRouter.Irt.Tests.Serving;

/// <summary>
/// A router over hashed n-grams and MiniLM (the real package), trained on the synthetic data, written as a folder and
/// served: the folder names the encoder instead of carrying it, and serving extracts it and agrees with training.
/// </summary>
public sealed class SentenceRouterTests
{
    private static readonly Lazy<(string Folder, IrtBuild Build)> Trained = new(() =>
    {
        var (spec, _) = PromptFeaturizers.Parse("hashed+minilm", new HashedNgramOptions { Buckets = 1024 });
        var build = IrtBuild.Run(new IrtBuildRequest
        {
            Train = SyntheticRouting.Records(240, seed: 8),
            Experts = SyntheticRouting.Experts,
            Hashed = new HashedNgramOptions { Buckets = 1024 },
            Encoder = spec,
            Options = new IrtTrainingOptions { Seed = 8, Epochs = 6, EmbeddingSize = 8, AbilityDimensions = 4, LearningRate = 0.01f },
            Members = 1,
        });
        return (SyntheticRouting.WriteFolder(build, "sentence"), build);
    });

    [Fact]
    public void Write_NamesThePretrainedEncoderAndCarriesNoEncoderFile()
    {
        var manifest = RouterManifest.Load(Trained.Value.Folder);

        Assert.Equal(EncoderSpec.HashedSentence, manifest.Encoder.Kind);
        Assert.Equal(PretrainedEncoders.MiniLm, manifest.Encoder.Pretrained);
        Assert.Equal(["model.onnx", "router.json"], Directory.GetFiles(Trained.Value.Folder).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Load_ExtractsTheEncoderAndScoresAsTrainingDid()
    {
        var prompts = new[] { "Question about biology: cell protein enzyme briefly", "Question about history: empire treaty war prove rigorously" };
        await using var router = IrtSkillRouter.Load(Trained.Value.Folder, new OnnxServingOptions(), new RecordingLogger());

        foreach (var prompt in prompts)
        {
            var served = await router.PredictAsync(prompt);
            var reference = Trained.Value.Build.Predict(prompt);
            for (var m = 0; m < reference.Length; m++)
            {
                Assert.Equal(reference[m], served[m], 3);
            }
        }
    }

    [Fact]
    public async Task Load_WithCudaWhereThereIsNone_FallsBackToCpuWithOneWarningForTheWholeRouter()
    {
        var logger = new RecordingLogger();

        await using var router = IrtSkillRouter.Load(Trained.Value.Folder, new OnnxServingOptions { ExecutionProvider = OnnxServingOptions.Cuda }, logger);
        var scores = await router.PredictAsync("Question about algebra: solve equation integer briefly");

        Assert.Equal(4, scores.Length);
        Assert.Equal(router.Provider == OnnxServingOptions.Cpu ? 1 : 0, logger.Entries.Count(e => e.Level == LogLevel.Warning));
    }
}
