using System.Buffers;
using ExpertRouter.Core.Caching;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Reading;
using Microsoft.ML.OnnxRuntime;

namespace ExpertRouter.Irt.Serving;

/// <summary>
/// Owns the one <see cref="InferenceSession"/> of a hashed-n-gram IRT graph. Checks the graph's input and output names
/// at load, lays a batch's features out in pooled arrays and wraps them as <see cref="OrtValue"/>s without copies; a
/// large batch becomes several runs. Serves both input layouts the exporter (ExpertRouter.Irt.Training) has written: one padded
/// row per prompt (current), and the features flattened with a <c>rows</c> input (graphs exported before 2026-11-25).
/// </summary>
public sealed class HashedPromptScorer : IPromptScorer
{
    /// <summary>
    /// Most features one run lays out, padding included: the graph gathers S·D floats for each (8 MB for the shipped
    /// routers at this size), and the flattened layout's pooling works in proportion to prompts × features.
    /// </summary>
    public const int MaxFeaturesPerRun = 16_384;

    /// <summary>
    /// Padding a prompt joins a run with, beyond the run's own features: padded features cost their gather and
    /// multiply-add (a few ns each), a run ≈ 10 µs, so a few hundred are cheaper than a second run, a long prompt's
    /// worth for every short one in its batch is not.
    /// </summary>
    internal const int PaddingAllowance = 512;

    private readonly InferenceSession _session;
    private readonly IPromptFeaturizer _featurizer;
    private readonly bool _flat;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames = [IrtGraphNames.ProbabilitiesOutput];
    // Read-only during a run, so one serves every run (ONNX Runtime takes it as const).
    private readonly RunOptions _runOptions = new();

    /// <param name="featurizer">
    /// Hashed n-grams, a sentence encoder's embedding as features, or both; disposed here while <see cref="OwnsFeaturizer"/>.
    /// </param>
    public HashedPromptScorer(InferenceSession session, IPromptFeaturizer featurizer, int experts, string provider)
    {
        _flat = session.InputMetadata.ContainsKey(IrtGraphNames.RowsInput);
        _inputNames = _flat
            ? [IrtGraphNames.IdsInput, IrtGraphNames.WeightsInput, IrtGraphNames.RowsInput]
            : [IrtGraphNames.IdsInput, IrtGraphNames.WeightsInput];
        OnnxContract.Require(session, _inputNames, _outputNames[0], experts);
        _session = session;
        _featurizer = featurizer;
        Experts = experts;
        Provider = provider;
    }

    public int Experts { get; }

    /// <summary>False while the scorer only checks another one's scores at load, so disposing it leaves the featurizer be.</summary>
    internal bool OwnsFeaturizer { get; set; } = true;

    public string Provider { get; }

    /// <summary>True for a graph of the flattened layout (a <c>rows</c> input), exported before 2026-11-25.</summary>
    internal bool FlattenedLayout => _flat;

    /// <summary>Featurizes a large batch in parallel (or in a sentence encoder's batches): offline, nothing else wants the cores.</summary>
    public void Score(IReadOnlyList<string> prompts, Span<float> probabilities)
    {
        var features = prompts.Count < 8 && _featurizer is HashedNgramFeaturizer hashed
            ? prompts.Select(hashed.Featurize).ToArray()
            : _featurizer.FeaturizeBatch(prompts);
        Score(features, probabilities);
    }

    public EncodedPrompt Encode(string prompt) => _featurizer.Featurize(prompt);

    public EncodedPrompt Encode(string prompt, PromptEmbeddings? shared) => _featurizer.Featurize(prompt, shared);

    public EncodedPrompt Encode(in ReadText text, PromptEmbeddings? shared) => _featurizer.Featurize(text, shared);

    public SentenceTextEmbedder? Embedder => PromptFeaturizers.SentenceEmbedderOf(_featurizer);

    public void Score(IReadOnlyList<EncodedPrompt> prompts, Span<float> probabilities)
    {
        var features = new HashedFeatures[prompts.Count];
        for (var i = 0; i < features.Length; i++)
        {
            features[i] = prompts[i] as HashedFeatures ?? throw new ArgumentException("A prompt this scorer did not encode.", nameof(prompts));
        }

        Score(features, probabilities);
    }

    public void Score(IReadOnlyList<HashedFeatures> features, Span<float> probabilities)
    {
        var start = 0;
        while (start < features.Count)
        {
            var (end, total, longest) = NextRun(features, start, _flat);
            var slice = probabilities.Slice(start * Experts, (end - start) * Experts);
            if (_flat)
            {
                ScoreFlattened(features, start, end - start, total, slice);
            }
            else
            {
                ScorePadded(features, start, end - start, longest, slice);
            }

            start = end;
        }
    }

    /// <summary>
    /// The run that starts at <paramref name="start"/>: where it ends, its features and its longest prompt's. A run
    /// always takes its first prompt, however long, and then every next one that keeps it within
    /// <see cref="MaxFeaturesPerRun"/> (padding included, or prompts × features in the flattened layout) and, padded,
    /// within twice its own features plus <see cref="PaddingAllowance"/>. An empty prompt counts as one feature.
    /// </summary>
    internal static (int End, int Total, int Longest) NextRun(IReadOnlyList<HashedFeatures> features, int start, bool flattened)
    {
        var first = Math.Max(1, features[start].Count);
        var (end, total, longest) = (start + 1, first, first);
        while (end < features.Count)
        {
            var count = Math.Max(1, features[end].Count);
            var rows = end - start + 1;
            var laidOut = flattened ? total + count : (long)rows * Math.Max(longest, count);
            var fits = flattened
                ? rows * laidOut <= MaxFeaturesPerRun
                : laidOut <= MaxFeaturesPerRun && laidOut <= 2L * (total + count) + PaddingAllowance;
            if (!fits)
            {
                break;
            }

            (total, longest, end) = (total + count, Math.Max(longest, count), end + 1);
        }

        return (end, total, longest);
    }

    private void ScorePadded(IReadOnlyList<HashedFeatures> features, int first, int rows, int longest, Span<float> probabilities)
    {
        var cells = rows * longest;
        var ids = ArrayPool<long>.Shared.Rent(cells);
        var weights = ArrayPool<float>.Shared.Rent(cells);
        try
        {
            Array.Clear(ids, 0, cells);
            Array.Clear(weights, 0, cells);
            for (var i = 0; i < rows; i++)
            {
                var f = features[first + i];
                var at = i * longest;
                for (var j = 0; j < f.Count; j++)
                {
                    ids[at + j] = f.Ids[j];
                }

                f.Weights.AsSpan(0, f.Count).CopyTo(weights.AsSpan(at, f.Count));
            }

            using var idsValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, ids.AsMemory(0, cells), [rows, longest]);
            using var weightsValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, weights.AsMemory(0, cells), [rows, 1, longest]);
            Run([idsValue, weightsValue], rows, probabilities);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(ids);
            ArrayPool<float>.Shared.Return(weights);
        }
    }

    private void ScoreFlattened(IReadOnlyList<HashedFeatures> features, int first, int rows, int total, Span<float> probabilities)
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
            Run([idsValue, weightsValue, rowsValue], rows, probabilities);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(ids);
            ArrayPool<float>.Shared.Return(weights);
            ArrayPool<long>.Shared.Return(rowOf);
        }
    }

    private void Run(OrtValue[] inputs, int rows, Span<float> probabilities)
    {
        using var outputs = _session.Run(_runOptions, _inputNames, inputs, _outputNames);
        outputs[0].GetTensorDataAsSpan<float>()[..(rows * Experts)].CopyTo(probabilities);
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
        if (OwnsFeaturizer)
        {
            (_featurizer as IDisposable)?.Dispose();
        }
    }
}
