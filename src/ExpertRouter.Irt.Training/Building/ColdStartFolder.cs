using ExpertRouter.Core.Experts;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Irt.Calibration;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Model;
using ExpertRouter.Irt.Onnx;
using ExpertRouter.Irt.Serving;
using ExpertRouter.Irt.Training;

namespace ExpertRouter.Irt.Building;

/// <summary>
/// <c>add-expert</c>: fits a new expert's ability from a few labelled prompts (<see cref="ColdStart"/>) and rewrites the
/// router folder's graph and manifest. Calibration is redone on <c>calibrationPrompts</c> when given, because a new
/// expert changes which expert each λ picks; otherwise the old calibration is kept and marked as such.
/// </summary>
public static class ColdStartFolder
{
    public sealed record Result(RouterManifest Manifest, int LabelsUsed);

    /// <param name="version">The folder's new version; null: <see cref="IrtRouterFolder.ModelVersion"/> of the new graph.</param>
    public static Result AddExpert(
        string folder,
        RouterExpert expert,
        IReadOnlyList<RoutingRecord> labels,
        IReadOnlyList<RoutingRecord>? calibrationPrompts,
        string? version = null)
    {
        var manifest = RouterManifest.Load(folder);
        var errors = new List<string>();
        if (manifest.Encoder.Kind != EncoderSpec.Hashed)
        {
            errors.Add("add-expert supports hashed-n-gram routers only.");
        }

        if (manifest.Experts.Any(e => e.Id == expert.Id))
        {
            errors.Add($"the router already has expert '{expert.Id}'.");
        }

        var labelled = labels.Where(r => r.Outcomes.ContainsKey(expert.Id)).ToArray();
        if (labelled.Length == 0)
        {
            errors.Add($"none of the label prompts has an outcome for '{expert.Id}'.");
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", errors));
        }

        var modelPath = Path.Combine(folder, manifest.Model);
        var model = OnnxModelFile.Read(modelPath);
        var featurizer = new HashedNgramFeaturizer(manifest.Encoder.HashedNgrams ?? new HashedNgramOptions());
        var pairs = labelled.Select(r => (featurizer.Featurize(r.Prompt), (float)Math.Clamp(r.Outcomes[expert.Id].Score, 0, 1))).ToArray();
        var grown = ColdStart.AddExpert(IrtOnnxImporter.Read(model), pairs);
        var experts = manifest.Experts.Append(expert with { ColdStartLabels = pairs.Length, Labels = pairs.Length }).ToArray();
        var calibration = calibrationPrompts is { Count: > 0 }
            ? Recalibrate(grown, featurizer, experts, calibrationPrompts)
            : manifest.Calibration is { } old ? old with { Source = old.Source + $" (before '{expert.Id}' was added)" } : null;
        var metadata = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        metadata["experts"] = string.Join(",", experts.Select(e => e.Id));
        var dense = IrtOnnxImporter.IsDense(model);
        OnnxModelFile.Write(IrtOnnxExporter.Export(grown, dense, metadata), modelPath);
        var updated = manifest with
        {
            // A new expert is a new router: the gateway's log must tell decisions before and after it apart.
            Version = version ?? IrtRouterFolder.ModelVersion(folder, manifest.Model),
            Experts = experts,
            // The graph is written anew in the current layout, whatever layout the folder had.
            Inputs = IrtRouterFolder.InputSpecs(dense, grown.Members[0].EmbeddingSize),
            Outputs = [new TensorSpec(IrtOnnxExporter.ProbabilitiesOutput, "float", ["batch", experts.Length.ToString()])],
            Calibration = calibration,
            DevMetrics = null,
        };
        updated.Save(folder);
        return new Result(updated, pairs.Length);
    }

    private static RouterCalibration Recalibrate(IrtEnsemble ensemble, IPromptFeaturizer featurizer, IReadOnlyList<RouterExpert> experts, IReadOnlyList<RoutingRecord> prompts)
    {
        var definitions = experts.Select(e => new ExpertDefinition
        {
            Id = e.Id,
            InputUsdPerMTok = e.InputUsdPerMTok,
            OutputUsdPerMTok = e.OutputUsdPerMTok,
            ExpectedOutputTokens = e.ExpectedOutputTokens,
        }).ToArray();
        var predictions = prompts.Select(r => ensemble.Predict(featurizer.Featurize(r.Prompt))).ToArray();
        return RouterCalibrator.Build($"{prompts.Count} prompts given to add-expert", prompts, predictions, definitions);
    }
}
