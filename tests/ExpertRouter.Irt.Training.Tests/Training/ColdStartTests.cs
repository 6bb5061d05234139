using ExpertRouter.Irt.Building;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Onnx;
using ExpertRouter.Irt.Serving;
using ExpertRouter.Irt.Training;

namespace ExpertRouter.Irt.Training.Tests.Training;

public sealed class ColdStartTests
{
    [Fact]
    public void AddExpert_From50Labels_RecoversItsBestTopicAndComesCloseToFullTraining()
    {
        // Train without "historian", then add it from 50 labelled prompts.
        var withoutHistorian = SyntheticRouting.Experts.Take(3).ToArray();
        var partial = SyntheticRouting.Train(experts: withoutHistorian);
        var full = SyntheticRouting.Train();
        var labels = SyntheticRouting.Records(50, seed: 77)
            .Select(r => (partial.Featurizer.Featurize(r.Prompt), (float)r.Outcomes["historian"].Score))
            .ToArray();

        var grown = ColdStart.AddExpert(partial.Ensemble, labels);

        var probe = SyntheticRouting.Records(90, seed: 123, split: "dev");
        var byTopic = new double[3];
        double gap = 0;
        foreach (var record in probe)
        {
            var features = partial.Featurizer.Featurize(record.Prompt);
            var coldStart = grown.Predict(features)[3];
            byTopic[Array.IndexOf(SyntheticRouting.Topics, record.Task)] += coldStart / 30;
            gap += Math.Abs(coldStart - full.Ensemble.Predict(features)[3]) / probe.Count;
        }

        Assert.Equal(4, grown.Experts);
        Assert.Equal(2, Array.IndexOf(byTopic, byTopic.Max()));
        Assert.True(gap < 0.15, $"mean |P_cold − P_full| = {gap:F3}");
    }

    [Fact]
    public void AddExpertToFolder_RewritesGraphAndManifest_AndServesTheNewExpert()
    {
        var folder = SyntheticRouting.WriteFolder(SyntheticRouting.Train(experts: SyntheticRouting.Experts.Take(3).ToArray()));
        var labels = SyntheticRouting.Records(50, seed: 77);
        var historian = new RouterExpert { Id = "historian", InputUsdPerMTok = 0.2, OutputUsdPerMTok = 0.4, ExpectedOutputTokens = 100 };

        var result = ColdStartFolder.AddExpert(folder, historian, labels, calibrationPrompts: labels);

        Assert.Equal(50, result.LabelsUsed);
        Assert.Equal(["strong", "mathy", "bio", "historian"], RouterManifest.Load(folder).Experts.Select(e => e.Id));
        using var router = IrtSkillRouter.Load(folder, new OnnxServingOptions(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var p = router.PredictBatch([SyntheticRouting.Prompt(2, hard: false, new Random(1))])[0];
        Assert.Equal(4, p.Length);
        Assert.True(p[3] > p[1], "the historian should beat mathy on a history prompt");
    }

    [Fact]
    public void AddExpertToFolder_OfTheFlattenedLayout_RewritesItInTheCurrentLayout_KeepingTheOldExpertsScores()
    {
        var fixture = Path.Combine(AppContext.BaseDirectory, "Serving", "Fixtures", "flattened-layout.onnx");
        var folder = Directory.CreateTempSubdirectory("er-flattened-").FullName;
        try
        {
            File.Copy(fixture, Path.Combine(folder, "model.onnx"));
            var encoder = new EncoderSpec { Kind = EncoderSpec.Hashed, HashedNgrams = new HashedNgramOptions { Buckets = 512 } };
            new RouterManifest
            {
                Name = "flattened",
                Encoder = encoder,
                Inputs = [new TensorSpec("ids", "int64", ["features"]), new TensorSpec("weights", "float", ["features"]), new TensorSpec("rows", "int64", ["features"])],
                Experts = Enumerable.Range(0, 5).Select(i => new RouterExpert { Id = $"e{i}", InputUsdPerMTok = 1, OutputUsdPerMTok = 2, ExpectedOutputTokens = 100 }).ToArray(),
            }.Save(folder);
            var historian = new RouterExpert { Id = "historian", InputUsdPerMTok = 0.2, OutputUsdPerMTok = 0.4, ExpectedOutputTokens = 100 };
            var prompt = SyntheticRouting.Prompt(2, hard: false, new Random(1));
            var before = IrtOnnxImporter.Read(OnnxModelFile.Read(fixture)).Predict(new HashedNgramFeaturizer(encoder.HashedNgrams).Featurize(prompt));

            ColdStartFolder.AddExpert(folder, historian, SyntheticRouting.Records(50, seed: 77), calibrationPrompts: null);

            Assert.Equal(["ids", "weights"], RouterManifest.Load(folder).Inputs.Select(i => i.Name));
            Assert.Equal(["ids", "weights"], OnnxModelFile.Read(Path.Combine(folder, "model.onnx")).Graph.Input.Select(i => i.Name));
            using var router = IrtSkillRouter.Load(folder, new OnnxServingOptions(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            var after = router.PredictBatch([prompt])[0];
            Assert.Equal(6, after.Length);
            for (var m = 0; m < before.Length; m++)
            {
                Assert.InRange(after[m] - before[m], -1e-5f, 1e-5f);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
