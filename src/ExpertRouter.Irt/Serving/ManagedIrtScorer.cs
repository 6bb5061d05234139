using System.Numerics.Tensors;
using System.Runtime.Intrinsics.X86;
using ExpertRouter.Core.Caching;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Reading;

namespace ExpertRouter.Irt.Serving;

/// <summary>
/// Scores a hashed IRT graph in managed code from the graph's own initializers: the embedding table's rows of a
/// prompt's features are pooled in place with SIMD multiply-adds, and the small head (discrimination, abilities,
/// difficulty, the members' mean) follows in a few thousand multiply-adds. ONNX Runtime's graph gathered a copy of
/// every feature's rows first (a 2,036-feature prompt: 1 MB written and read again) and paid a per-run and per-node
/// cost that made one run 30–45 µs in place (bench/README.md). Read-only after construction, so concurrent callers
/// score on their own threads with no lock and no batch to wait for. Computes what the exported graph computes: a test
/// holds the two within 1e-5, and the router checks it again on probes at load before choosing this scorer.
/// </summary>
public sealed class ManagedIrtScorer : IPromptScorer
{
    private readonly IPromptFeaturizer _featurizer;
    private readonly float[] _table;
    private readonly int _width;
    private readonly Member[] _members;

    private ManagedIrtScorer(IPromptFeaturizer featurizer, float[] table, int width, Member[] members, int experts)
    {
        _featurizer = featurizer;
        _table = table;
        _width = width;
        _members = members;
        Experts = experts;
    }

    public int Experts { get; }

    public string Provider => OnnxServingOptions.Cpu;

    /// <summary>Rows of the embedding table: ids a featurizer may produce.</summary>
    public int Rows => _table.Length / _width;

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

        var members = new List<Member>();
        for (var i = 0; tensors.ContainsKey($"m{i}_Wa"); i++)
        {
            var (member, reason) = Member.Read(tensors, $"m{i}_", experts);
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
        Span<float> pooled = _width <= 512 ? stackalloc float[_width] : new float[_width];
        Pool(ids, weights, pooled);
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

    /// <summary>
    /// Σ weight · row over the prompt's features, reading each row where it lies. The rows are scattered over a table
    /// of megabytes that the rest of a request's work evicts from the caches, so in the gateway pooling waited on
    /// memory (25 µs for 512 features under load against 9 µs with the table warm, bench/README.md): the rows a few
    /// features ahead are prefetched while the current one is added.
    /// </summary>
    private unsafe void Pool(ReadOnlySpan<int> ids, ReadOnlySpan<float> weights, Span<float> pooled)
    {
        pooled.Clear();
        var width = _width;
        fixed (float* table = _table)
        {
            for (var j = 0; j < ids.Length; j++)
            {
                if (Sse.IsSupported && j + PrefetchDistance < ids.Length)
                {
                    var ahead = table + ((long)ids[j + PrefetchDistance] * width);
                    for (var at = 0; at < width; at += FloatsPerCacheLine)
                    {
                        Sse.Prefetch0(ahead + at);
                    }
                }

                // The row itself through a checked slice: only the prefetch, which never faults, uses the bare pointer.
                TensorPrimitives.MultiplyAdd(_table.AsSpan(ids[j] * width, width), weights[j], pooled, pooled);
            }
        }
    }

    /// <summary>Rows prefetched ahead of the one being added: enough to cover a miss to memory, few enough to stay in L1.</summary>
    private const int PrefetchDistance = 4;

    private const int FloatsPerCacheLine = 16;

    public void Dispose() => (_featurizer as IDisposable)?.Dispose();

    /// <summary>
    /// One member's head, laid out for row-by-row multiply-adds: za = e·Wa + ba, a = softplus(za),
    /// logits = a·θᵀ + e·(Uᵀ − wb·1ᵀ) + (β − bb), as the exporter folds difficulty into the read-out.
    /// </summary>
    private sealed class Member
    {
        public required int D { get; init; }

        public required int K { get; init; }

        public required float[] Wa { get; init; }

        public required float[] Ba { get; init; }

        public required float[] ThetaT { get; init; }

        public required float[] ReadOut { get; init; }

        public required float[] Offset { get; init; }

        public static (Member?, string?) Read(Dictionary<string, OnnxFloatTensor> tensors, string prefix, int experts)
        {
            string[] names = ["Wa", "ba", "thetaT", "wb", "bb", "beta"];
            var missing = names.Where(n => !tensors.ContainsKey(prefix + n)).ToArray();
            if (missing.Length > 0)
            {
                return (null, $"member '{prefix}' lacks {string.Join(", ", missing.Select(n => prefix + n))}");
            }

            var wa = tensors[prefix + "Wa"];
            var thetaT = tensors[prefix + "thetaT"];
            if (wa.Dims.Length != 2 || thetaT.Dims.Length != 2)
            {
                return (null, $"member '{prefix}' has misshapen Wa or thetaT");
            }

            int d = (int)wa.Dims[0], k = (int)wa.Dims[1];
            var wb = tensors[prefix + "wb"].Values;
            var bb = tensors[prefix + "bb"].Values;
            var beta = tensors[prefix + "beta"].Values;
            var ut = tensors.TryGetValue(prefix + "UT", out var u) ? u.Values : null;
            if (thetaT.Dims[0] != k || thetaT.Dims[1] != experts || tensors[prefix + "ba"].Values.Length != k
                || wb.Length != d || bb.Length != 1 || beta.Length != experts || (ut is not null && ut.Length != d * experts))
            {
                return (null, $"member '{prefix}' does not have the shapes of D = {d}, K = {k} and {experts} experts");
            }

            var read = new float[d * experts];
            for (var r = 0; r < d; r++)
            {
                for (var m = 0; m < experts; m++)
                {
                    read[r * experts + m] = (ut?[r * experts + m] ?? 0f) - wb[r];
                }
            }

            var offset = new float[experts];
            TensorPrimitives.Subtract(beta, bb[0], offset);
            return (new Member { D = d, K = k, Wa = wa.Values, Ba = tensors[prefix + "ba"].Values, ThetaT = thetaT.Values, ReadOut = read, Offset = offset }, null);
        }

        public void Logits(ReadOnlySpan<float> embedding, Span<float> logits)
        {
            var experts = logits.Length;
            Span<float> a = K <= 256 ? stackalloc float[K] : new float[K];
            Ba.CopyTo(a);
            for (var r = 0; r < D; r++)
            {
                TensorPrimitives.MultiplyAdd(Wa.AsSpan(r * K, K), embedding[r], a, a);
            }

            for (var c = 0; c < a.Length; c++)
            {
                a[c] = Softplus(a[c]);
            }

            Offset.CopyTo(logits);
            for (var c = 0; c < K; c++)
            {
                TensorPrimitives.MultiplyAdd(ThetaT.AsSpan(c * experts, experts), a[c], logits, logits);
            }

            for (var r = 0; r < D; r++)
            {
                TensorPrimitives.MultiplyAdd(ReadOut.AsSpan(r * experts, experts), embedding[r], logits, logits);
            }
        }

        /// <summary>log(1 + eˣ) without overflow for large x, as ONNX Runtime computes it.</summary>
        private static float Softplus(float x) => x > 0 ? x + MathF.Log(1f + MathF.Exp(-x)) : MathF.Log(1f + MathF.Exp(x));
    }
}
