using System.Buffers;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace ExpertRouter.Irt.Serving;

/// <summary>
/// Owns the one <see cref="InferenceSession"/> of a hashed-n-gram IRT graph. Checks the graph's input and output names
/// at load, pads a batch's ids and weights into pooled arrays and wraps them as <see cref="OrtValue"/>s without copies.
/// </summary>
public sealed class HashedPromptScorer : IPromptScorer
{
    private readonly InferenceSession _session;
    private readonly HashedNgramFeaturizer _featurizer;
    private readonly string[] _inputNames = [IrtOnnxExporter.IdsInput, IrtOnnxExporter.WeightsInput];
    private readonly string[] _outputNames = [IrtOnnxExporter.ProbabilitiesOutput];

    public HashedPromptScorer(InferenceSession session, HashedNgramFeaturizer featurizer, int experts, string provider)
    {
        OnnxContract.Require(session, _inputNames, _outputNames[0], experts);
        _session = session;
        _featurizer = featurizer;
        Experts = experts;
        Provider = provider;
    }

    public int Experts { get; }

    public string Provider { get; }

    public void Score(IReadOnlyList<string> prompts, Span<float> probabilities)
    {
        var features = new HashedFeatures[prompts.Count];
        for (var i = 0; i < features.Length; i++)
        {
            features[i] = _featurizer.Featurize(prompts[i]);
        }

        Score(features, probabilities);
    }

    public void Score(IReadOnlyList<HashedFeatures> features, Span<float> probabilities)
    {
        var rows = features.Count;
        var width = 1;
        foreach (var f in features)
        {
            width = Math.Max(width, f.Count);
        }

        var ids = ArrayPool<long>.Shared.Rent(rows * width);
        var weights = ArrayPool<float>.Shared.Rent(rows * width);
        try
        {
            // Padding points at row 0 with weight 0, so it adds nothing to the embedding.
            Array.Clear(ids, 0, rows * width);
            Array.Clear(weights, 0, rows * width);
            for (var i = 0; i < rows; i++)
            {
                var f = features[i];
                for (var j = 0; j < f.Count; j++)
                {
                    ids[i * width + j] = f.Ids[j];
                }

                f.Weights.CopyTo(weights, i * width);
            }

            long[] shape = [rows, width];
            using var idsValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, ids.AsMemory(0, rows * width), shape);
            using var weightsValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, weights.AsMemory(0, rows * width), shape);
            using var runOptions = new RunOptions();
            using var outputs = _session.Run(runOptions, _inputNames, [idsValue, weightsValue], _outputNames);
            outputs[0].GetTensorDataAsSpan<float>()[..(rows * Experts)].CopyTo(probabilities);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(ids);
            ArrayPool<float>.Shared.Return(weights);
        }
    }

    public void Dispose() => _session.Dispose();
}
