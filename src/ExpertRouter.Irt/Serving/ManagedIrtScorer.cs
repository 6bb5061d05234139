using System.Numerics.Tensors;
using ExpertRouter.Core.Caching;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Reading;

namespace ExpertRouter.Irt.Serving;

/// <summary>
/// Scores a hashed IRT graph in managed code from the graph's own initializers: the embedding table's rows of a
/// prompt's features are pooled where they lie (<see cref="EmbeddingTable"/>), and each member's small head
/// (<see cref="IrtHeadMember"/>: discrimination, abilities, difficulty) and the members' mean follow in a few thousand
/// multiply-adds. ONNX Runtime's graph gathered a copy of
/// every feature's rows first (a 2,036-feature prompt: 1 MB written and read again) and paid a per-run and per-node
/// cost that made one run 30–45 µs in place (bench/README.md). Read-only after construction, so concurrent callers
/// score on their own threads with no lock and no batch to wait for. Computes what the exported graph computes: a test
/// holds the two within 1e-5, and the router checks it again on probes at load before choosing this scorer.
/// </summary>
public sealed class ManagedIrtScorer : IPromptScorer
{
    private readonly IPromptFeaturizer _featurizer;
    private readonly EmbeddingTable _table;
    private readonly IrtHeadMember[] _members;

    private ManagedIrtScorer(IPromptFeaturizer featurizer, float[] table, int width, IrtHeadMember[] members, int experts)
    {
        _featurizer = featurizer;
        _table = new EmbeddingTable(table, width);
        _members = members;
        Experts = experts;
    }

    public int Experts { get; }

    public string Provider => OnnxServingOptions.Cpu;

    /// <summary>Rows of the embedding table: ids a featurizer may produce.</summary>
    public int Rows => _table.Rows;

    /// <summary>True when the table is held in half precision (exactly, as the graph stores it).</summary>
    internal bool HalfPrecisionTable => _table.IsHalfPrecision;

    /// <summary>Pools a half-precision table on the path for machines without AVX2 and FMA, so tests cover it on any machine.</summary>
    internal bool PortablePooling
    {
        get => _table.PortablePooling;
        set => _table.PortablePooling = value;
    }

    /// <summary>
    /// The scorer for a graph <c>IrtOnnxExporter</c> wrote (a shared table <c>E_all</c> and members <c>m0_</c>, <c>m1_</c>, …),
    /// or the reason it cannot be built from <paramref name="model"/> (another layout, a missing or misshapen parameter).
    /// </summary>
    public static (ManagedIrtScorer? Scorer, string? Reason) TryCreate(ReadOnlySpan<byte> model, IPromptFeaturizer featurizer, int experts)
    {
        Dictionary<string, OnnxFloatTensor> tensors;
        try
        {
            tensors = OnnxInitializers.ReadFloats(model);
        }
        catch (InvalidDataException ex)
        {
            return (null, ex.Message);
        }

        if (!tensors.TryGetValue("E_all", out var table) || table.Dims.Length != 2)
        {
            return (null, "the graph has no shared embedding table 'E_all' [rows, members·D]");
        }

        var members = new List<IrtHeadMember>();
        for (var i = 0; tensors.ContainsKey($"m{i}_Wa"); i++)
        {
            var (member, reason) = IrtHeadMember.Read(tensors, $"m{i}_", experts);
            if (member is null)
            {
                return (null, reason);
            }

            members.Add(member);
        }

        if (members.Count == 0)
        {
            return (null, "the graph has no member parameters ('m0_Wa', …)");
        }

        var d = members[0].D;
        var width = (int)table.Dims[1];
        if (members.Any(m => m.D != d || m.K != members[0].K) || width != members.Count * d)
        {
            return (null, $"the table's {width} columns are not {members.Count} members of the same embedding size");
        }

        if (featurizer.InputRows > table.Dims[0])
        {
            return (null, $"the featurizer gives ids up to {featurizer.InputRows}, the table has {table.Dims[0]} rows");
        }

        return (new ManagedIrtScorer(featurizer, table.Values, width, [.. members], experts), null);
    }

    public EncodedPrompt Encode(string prompt) => _featurizer.Featurize(prompt);

    // A sentence featurizer behind the managed head shares its vector with the request's semantic cache, as under ONNX.
    public EncodedPrompt Encode(string prompt, PromptEmbeddings? shared) => _featurizer.Featurize(prompt, shared);

    public EncodedPrompt Encode(in ReadText text, PromptEmbeddings? shared) => _featurizer.Featurize(text, shared);

    public SentenceTextEmbedder? Embedder => PromptFeaturizers.SentenceEmbedderOf(_featurizer);

    public void Score(IReadOnlyList<string> prompts, Span<float> probabilities)
    {
        for (var i = 0; i < prompts.Count; i++)
        {
            Score(_featurizer.Featurize(prompts[i]), probabilities.Slice(i * Experts, Experts));
        }
    }

    public void Score(IReadOnlyList<EncodedPrompt> prompts, Span<float> probabilities)
    {
        for (var i = 0; i < prompts.Count; i++)
        {
            Score(prompts[i], probabilities.Slice(i * Experts, Experts));
        }
    }

    /// <summary>One prompt's probabilities, on the caller's thread.</summary>
    public void Score(EncodedPrompt prompt, Span<float> probabilities)
    {
        var features = prompt as HashedFeatures ?? throw new ArgumentException("A prompt this scorer did not encode.", nameof(prompt));
        Score(features.Ids, features.Weights, probabilities);
    }

    /// <summary>
    /// What a reading policy read, encoded and scored on the caller's thread. Hashed features are used and given back
    /// before this returns, so they live in rented arrays and the text is hashed in place: nothing is allocated.
    /// </summary>
    public void Score(in ReadText text, PromptEmbeddings? shared, Span<float> probabilities)
    {
        if (_featurizer is HashedNgramFeaturizer hashed)
        {
            using var rented = hashed.Rent(text);
            Score(rented.Ids, rented.Weights, probabilities);
            return;
        }

        var features = _featurizer.Featurize(text, shared);
        Score(features.Ids, features.Weights, probabilities);
    }

    private void Score(ReadOnlySpan<int> ids, ReadOnlySpan<float> weights, Span<float> probabilities)
    {
        var width = _table.Width;
        Span<float> pooled = width <= 512 ? stackalloc float[width] : new float[width];
        _table.Pool(ids, weights, pooled);
        probabilities = probabilities[..Experts];
        probabilities.Clear();
        Span<float> logits = Experts <= 256 ? stackalloc float[Experts] : new float[Experts];
        var d = _members[0].D;
        for (var i = 0; i < _members.Length; i++)
        {
            _members[i].Logits(pooled.Slice(i * d, d), logits);
            TensorPrimitives.Sigmoid(logits, logits);
            TensorPrimitives.Add(probabilities, logits, probabilities);
        }

        TensorPrimitives.Divide(probabilities, _members.Length, probabilities);
    }

    public void Dispose() => (_featurizer as IDisposable)?.Dispose();
}
