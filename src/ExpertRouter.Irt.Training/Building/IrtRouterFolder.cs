using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Onnx;
using ExpertRouter.Irt.Serving;

namespace ExpertRouter.Irt.Building;

/// <summary>Writes a router folder: <c>model.onnx</c> and <c>router.json</c>, byte-identical for the same build.</summary>
public static class IrtRouterFolder
{
    /// <param name="version">router.json's version; null: <see cref="ModelVersion"/> of the graph written.</param>
    public static RouterManifest Write(string folder, string name, IrtBuild build, IReadOnlyList<string> trainingFiles, DevMetrics? dev, string? version = null)
    {
        Directory.CreateDirectory(folder);
        var dense = build.Featurizer is BertFeaturizer;
        // A pretrained encoder is named (package, version, SHA-256), never copied: serving extracts it from its package.
        var encoder = dense ? CopyEncoder(folder, build.Request.BertSource!) : build.Request.EncoderSpec;
        var model = IrtOnnxExporter.Export(build.Ensemble, dense, new Dictionary<string, string>
        {
            ["router"] = name,
            ["experts"] = string.Join(",", build.Experts.Select(e => e.Id)),
        });
        OnnxModelFile.Write(model, Path.Combine(folder, "model.onnx"));
        var first = build.Ensemble.Members[0];
        var manifest = new RouterManifest
        {
            Name = name,
            Version = version ?? ModelVersion(folder, "model.onnx"),
            Model = "model.onnx",
            Encoder = encoder,
            // A default policy is left out, so a folder trained as before is written byte for byte as before.
            Reads = build.Request.Reads.IsDefault ? null : build.Request.Reads,
            Inputs = InputSpecs(dense, first.EmbeddingSize),
            Outputs = [new TensorSpec(IrtOnnxExporter.ProbabilitiesOutput, "float", ["batch", build.Experts.Count.ToString()])],
            EmbeddingSize = first.EmbeddingSize,
            AbilityDimensions = first.AbilityDimensions,
            EnsembleMembers = build.Ensemble.Members.Count,
            Experts = build.Experts.Select(e => new RouterExpert
            {
                Id = e.Id,
                InputUsdPerMTok = e.InputUsdPerMTok,
                OutputUsdPerMTok = e.OutputUsdPerMTok,
                ExpectedOutputTokens = e.ExpectedOutputTokens,
                Labels = build.Labels.GetValueOrDefault(e.Id),
            }).ToArray(),
            Calibration = build.Calibration,
            Training = new TrainingRecord
            {
                Files = trainingFiles,
                Prompts = build.FitPrompts,
                Outcomes = build.FitOutcomes,
                CalibrationPrompts = build.Calibration.Prompts,
                Options = build.Request.Options,
                ItemModels = build.ItemModels.Count > build.Experts.Count ? build.ItemModels : null,
                WarmStart = build.ContinuedFrom,
            },
            DevMetrics = dev,
        };
        manifest.Save(folder);
        return manifest;
    }

    /// <summary>
    /// The default version: <c>model-</c> and 12 hex digits of the graph's SHA-256. The same training data, options and
    /// seed write the same bytes, so the same version; anything that changes the router changes it.
    /// </summary>
    public static string ModelVersion(string folder, string model) =>
        "model-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(folder, model))))[..12];

    /// <summary>The inputs of a graph <see cref="IrtOnnxExporter"/> writes, as <c>router.json</c> records them.</summary>
    public static TensorSpec[] InputSpecs(bool dense, int embeddingSize) => dense
        ? [new TensorSpec(IrtOnnxExporter.EmbeddingInput, "float", ["batch", embeddingSize.ToString()])]
        : [
            new TensorSpec(IrtOnnxExporter.IdsInput, "int64", ["batch", "features"]),
            new TensorSpec(IrtOnnxExporter.WeightsInput, "float", ["batch", "1", "features"]),
        ];

    /// <summary>Copies the encoder graph and vocabulary into the router folder; the manifest names the copies.</summary>
    private static EncoderSpec CopyEncoder(string folder, EncoderSpec source)
    {
        File.Copy(source.BertModel!, Path.Combine(folder, "encoder.onnx"), overwrite: true);
        File.Copy(source.Vocabulary!, Path.Combine(folder, "vocab.txt"), overwrite: true);
        return source with { Kind = EncoderSpec.Bert, BertModel = "encoder.onnx", Vocabulary = "vocab.txt", HashedNgrams = null };
    }
}
