using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Model;
using ExpertRouter.Irt.Onnx;
using ExpertRouter.Irt.Serving;
using ExpertRouter.Irt.Training;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExpertRouter.Irt.Tests.Encoding;

public sealed class BertOnnxEncoderTests
{
    private static string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "er-irt-bert-" + Guid.NewGuid().ToString("N"));
        TinyBert.Write(folder);
        return folder;
    }

    private static BertOnnxEncoder Load(string folder) => BertOnnxEncoder.Load(
        Path.Combine(folder, "encoder.onnx"), Path.Combine(folder, "vocab.txt"), 32, lowerCase: true, new OnnxServingOptions(), NullLogger.Instance);

    [Fact]
    public void Encode_WordPieceTokens_MeanPoolsTheHiddenStates()
    {
        using var encoder = Load(NewFolder());
        var embedding = new float[TinyBert.Hidden];

        encoder.Encode(["Hello worlds"], embedding);

        Assert.Equal([2, 5, 6, 7, 3], encoder.Tokenize("Hello worlds"));
        var expected = TinyBert.ExpectedEmbedding(2, 5, 6, 7, 3);
        for (var c = 0; c < expected.Length; c++)
        {
            Assert.Equal(expected[c], embedding[c], 5);
        }
    }

    [Fact]
    public void Encode_ABatchOfDifferentLengths_IgnoresPadding()
    {
        using var encoder = Load(NewFolder());
        var batch = new float[2 * TinyBert.Hidden];
        var alone = new float[TinyBert.Hidden];

        encoder.Encode(["hello", "the cat worlds"], batch);
        encoder.Encode(["hello"], alone);

        for (var c = 0; c < TinyBert.Hidden; c++)
        {
            Assert.Equal(alone[c], batch[c], 6);
        }
    }

    [Fact]
    public async Task RouterFolder_WithABertEncoder_ServesTheHeadOnTheMeanPooledEmbedding()
    {
        var folder = NewFolder();
        var head = IrtTrainer.Initialize(TinyBert.Hidden, 3, new IrtTrainingOptions { Seed = 4, EmbeddingSize = TinyBert.Hidden, AbilityDimensions = 2 }, identityEmbedding: true);
        var ensemble = new IrtEnsemble([head]);
        OnnxModelFile.Write(IrtOnnxExporter.Export(ensemble, denseInput: true), Path.Combine(folder, "model.onnx"));
        new RouterManifest
        {
            Name = "bert-test",
            Encoder = new EncoderSpec { Kind = EncoderSpec.Bert, BertModel = "encoder.onnx", Vocabulary = "vocab.txt" },
            EmbeddingSize = TinyBert.Hidden,
            AbilityDimensions = 2,
            Experts = [new RouterExpert { Id = "a" }, new RouterExpert { Id = "b" }, new RouterExpert { Id = "c" }],
        }.Save(folder);

        await using var router = IrtSkillRouter.Load(folder, new OnnxServingOptions(), NullLogger.Instance);
        var scores = await router.PredictAsync("hello world");

        var embedding = TinyBert.ExpectedEmbedding(2, 5, 6, 3);
        var expected = ensemble.Predict(new HashedFeatures(Enumerable.Range(0, TinyBert.Hidden).ToArray(), embedding));
        for (var m = 0; m < 3; m++)
        {
            Assert.InRange(scores[m] - expected[m], -1e-5f, 1e-5f);
        }
    }

    [Fact]
    public async Task Build_WithABertEncoder_TrainsTheHeadAndWritesAServableFolder()
    {
        var source = NewFolder();
        using var encoder = Load(source);
        var records = Enumerable.Range(0, 60).Select(i => new ExpertRouter.Evaluation.Data.RoutingRecord
        {
            Id = $"b{i}",
            Prompt = i % 2 == 0 ? $"hello world {i}" : $"the cat {i}",
            Outcomes = new Dictionary<string, ExpertRouter.Evaluation.Data.RecordedOutcome>
            {
                ["greeter"] = new() { Score = i % 2 == 0 ? 1 : 0, OutputTokensEst = 10 },
                ["cat-person"] = new() { Score = i % 2 == 0 ? 0 : 1, OutputTokensEst = 10 },
            },
        }).ToArray();
        var build = ExpertRouter.Irt.Building.IrtBuild.Run(new ExpertRouter.Irt.Building.IrtBuildRequest
        {
            Train = records,
            Experts = [new() { Id = "greeter", InputUsdPerMTok = 1, OutputUsdPerMTok = 1 }, new() { Id = "cat-person", InputUsdPerMTok = 2, OutputUsdPerMTok = 2 }],
            Options = new IrtTrainingOptions { Epochs = 30, AbilityDimensions = 2, LearningRate = 0.05f },
            Members = 1,
            Bert = encoder,
            BertSource = new EncoderSpec { BertModel = Path.Combine(source, "encoder.onnx"), Vocabulary = Path.Combine(source, "vocab.txt") },
        });
        var folder = Path.Combine(Path.GetTempPath(), "er-irt-bert-router-" + Guid.NewGuid().ToString("N"));

        ExpertRouter.Irt.Building.IrtRouterFolder.Write(folder, "bert-router", build, ["synthetic"], dev: null);
        await using var router = IrtSkillRouter.Load(folder, new OnnxServingOptions(), NullLogger.Instance);
        var greeting = await router.PredictAsync("hello world");

        Assert.Equal(EncoderSpec.Bert, router.Manifest.Encoder.Kind);
        Assert.True(greeting[0] > greeting[1], $"greeter {greeting[0]} vs cat-person {greeting[1]}");
        var reference = build.Predict("hello world");
        Assert.InRange(greeting[0] - reference[0], -1e-5f, 1e-5f);
    }
}
