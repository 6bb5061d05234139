using System.Buffers;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace ExpertRouter.Irt.Serving;

/// <summary>
/// Owns the one <see cref="InferenceSession"/> of a hashed-n-gram IRT graph. Checks the graph's input and output names
/// at load, lays a batch's features out flat (id, weight, row) in pooled arrays and wraps them as <see cref="OrtValue"/>s
/// without copies; a large batch becomes several runs (<see cref="MaxRowsTimesFeatures"/>).
/// </summary>
public sealed class HashedPromptScorer : IPromptScorer
{
    /// <summary>
    /// The graph pools with a MatMul of a (prompts × features) membership matrix, so one run's pooling work grows with
    /// prompts × features; runs are cut where that product would pass this, which keeps a run's pooling within
    /// ≈ 2 M multiply-adds (a run costs ≈ 12 µs before any feature, so small prompts still share one).
    /// </summary>
    public const int MaxRowsTimesFeatures = 16_384;

    private readonly InferenceSession _session;
    private readonly HashedNgramFeaturizer _featurizer;
    private readonly string[] _inputNames = [IrtOnnxExporter.IdsInput, IrtOnnxExporter.WeightsInput, IrtOnnxExporter.RowsInput];
    private readonly string[] _outputNames = [IrtOnnxExporter.ProbabilitiesOutput];
    // Read-only during a run, so one serves every run (ONNX Runtime takes it as const).
    private readonly RunOptions _runOptions = new();

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
        if (features.Length < 8)
        {
            for (var i = 0; i < features.Length; i++)
            {
                features[i] = _featurizer.Featurize(prompts[i]);
            }
        }
        else
        {
            // Hashing is a good share of a batch's time and each prompt is independent.
            Parallel.For(0, features.Length, i => features[i] = _featurizer.Featurize(prompts[i]));
        }

        Score(features, probabilities);
    }

    public void Score(IReadOnlyList<HashedFeatures> features, Span<float> probabilities)
    {
        var start = 0;
        while (start < features.Count)
        {
            var (end, total) = (start, 0);
            while (end < features.Count)
            {
                var next = total + Math.Max(1, features[end].Count);
                if (end > start && (long)(end - start + 1) * next > MaxRowsTimesFeatures)
                {
                    break;
                }

                (total, end) = (next, end + 1);
            }

            ScoreRun(features, start, end - start, total, probabilities.Slice(start * Experts, (end - start) * Experts));
            start = end;
        }
    }

    private void ScoreRun(IReadOnlyList<HashedFeatures> features, int first, int rows, int total, Span<float> probabilities)
    {
        var ids = ArrayPool<long>.Shared.Rent(total);
        var weights = ArrayPool<float>.Shared.Rent(total);
        var rowOf = ArrayPool<long>.Shared.Rent(total);
        try
        {
            var t = 0;
            for (var i = 0; i < rows; i++)
            {
                var f = features[first + i];
                if (f.Count == 0)
                {
                    // An empty prompt still needs a row: one padding feature with weight 0.
                    (ids[t], weights[t], rowOf[t]) = (0, 0f, i);
                    t++;
                    continue;
                }

                for (var j = 0; j < f.Count; j++, t++)
                {
                    (ids[t], weights[t], rowOf[t]) = (f.Ids[j], f.Weights[j], i);
                }
            }

            long[] shape = [total];
            using var idsValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, ids.AsMemory(0, total), shape);
            using var weightsValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, weights.AsMemory(0, total), shape);
            using var rowsValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, rowOf.AsMemory(0, total), shape);
            using var outputs = _session.Run(_runOptions, _inputNames, [idsValue, weightsValue, rowsValue], _outputNames);
            outputs[0].GetTensorDataAsSpan<float>()[..(rows * Experts)].CopyTo(probabilities);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(ids);
            ArrayPool<float>.Shared.Return(weights);
            ArrayPool<long>.Shared.Return(rowOf);
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }
}
