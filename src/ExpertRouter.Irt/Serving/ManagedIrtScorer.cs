using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
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
    // The embedding table in half precision when that holds it exactly (every table the exporter writes since the
    // shared table became float16), else in single precision. Half the bytes is half the cache lines a prompt's rows
    // take from memory.
    private readonly Half[]? _halves;
    private readonly float[]? _floats;
    private readonly int _width;
    private readonly int _rows;
    private readonly Member[] _members;

    private ManagedIrtScorer(IPromptFeaturizer featurizer, float[] table, int width, Member[] members, int experts)
    {
        _featurizer = featurizer;
        _halves = ExactHalves(table);
        _floats = _halves is null ? table : null;
        _width = width;
        _rows = table.Length / width;
        _members = members;
        Experts = experts;
    }

    public int Experts { get; }

    public string Provider => OnnxServingOptions.Cpu;

    /// <summary>Rows of the embedding table: ids a featurizer may produce.</summary>
    public int Rows => _rows;

    /// <summary>True when the table is held in half precision (exactly, as the graph stores it).</summary>
    internal bool HalfPrecisionTable => _halves is not null;

    /// <summary>Pools a half-precision table on the path for machines without AVX2 and FMA, so tests cover it on any machine.</summary>
    internal bool PortablePooling { get; set; }

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
    /// of megabytes that the rest of a request's work evicts from the caches, so in the gateway pooling waits on
    /// memory (25 µs for 512 features under load against 9 µs with the table warm, bench/README.md): the table is
    /// held in half precision, the rows a few features ahead are prefetched while the current one is added, and the
    /// sums stay in registers across rows instead of going through memory after every row.
    /// </summary>
    private void Pool(ReadOnlySpan<int> ids, ReadOnlySpan<float> weights, Span<float> pooled)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(weights.Length, ids.Length, nameof(weights));
        foreach (var id in ids)
        {
            // The kernels read rows through pointers; an id from elsewhere than this scorer's featurizer is refused here.
            if ((uint)id >= (uint)_rows)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), $"Feature id {id} is outside the table's {_rows} rows.");
            }
        }

        if (_halves is null)
        {
            PoolFloats(ids, weights, pooled);
        }
        else if (!PortablePooling && Avx2.IsSupported && Fma.IsSupported && _width % 8 == 0)
        {
            PoolHalvesAvx2(ids, weights, pooled);
        }
        else
        {
            PoolHalves(ids, weights, pooled);
        }
    }

    private unsafe void PoolFloats(ReadOnlySpan<int> ids, ReadOnlySpan<float> weights, Span<float> pooled)
    {
        pooled.Clear();
        var width = _width;
        fixed (float* table = _floats)
        {
            for (var j = 0; j < ids.Length; j++)
            {
                if (Sse.IsSupported && j + PrefetchDistance < ids.Length)
                {
                    Prefetch(table + ((long)ids[j + PrefetchDistance] * width), width * sizeof(float));
                }

                TensorPrimitives.MultiplyAdd(_floats.AsSpan(ids[j] * width, width), weights[j], pooled, pooled);
            }
        }
    }

    /// <summary>The portable path: each row widened to single precision on the stack, then added.</summary>
    private void PoolHalves(ReadOnlySpan<int> ids, ReadOnlySpan<float> weights, Span<float> pooled)
    {
        pooled.Clear();
        Span<float> row = _width <= 512 ? stackalloc float[_width] : new float[_width];
        for (var j = 0; j < ids.Length; j++)
        {
            TensorPrimitives.ConvertToSingle(_halves.AsSpan(ids[j] * _width, _width), row);
            TensorPrimitives.MultiplyAdd(row, weights[j], pooled, pooled);
        }
    }

    /// <summary>
    /// Blocks of <see cref="HalfBlock"/> columns, each summed over every row in eight registers. A half widens to the
    /// single with the same value by moving its sign to the top bit and its exponent and mantissa 13 bits up, then
    /// scaling by 2¹¹² for the exponents' different biases: exact for every finite half, subnormals included, and
    /// <see cref="ExactHalves"/> admits only finite ones.
    /// </summary>
    private unsafe void PoolHalvesAvx2(ReadOnlySpan<int> ids, ReadOnlySpan<float> weights, Span<float> pooled)
    {
        var width = _width;
        var rowBytes = width * sizeof(ushort);
        var mask = Vector256.Create(unchecked((int)0x8FFFFFFF));
        var bias = Vector256.Create(HalfToSingleScale);
        fixed (Half* table = _halves)
        fixed (int* idp = ids)
        fixed (float* wp = weights)
        fixed (float* output = pooled)
        {
            for (var block = 0; block + HalfBlock <= width; block += HalfBlock)
            {
                Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
                Vector256<float> s4 = default, s5 = default, s6 = default, s7 = default;
                for (var j = 0; j < ids.Length; j++)
                {
                    if (block == 0 && j + PrefetchDistance < ids.Length)
                    {
                        Prefetch(table + ((long)idp[j + PrefetchDistance] * width), rowBytes);
                    }

                    var row = (short*)(table + ((long)idp[j] * width) + block);
                    var w = Vector256.Create(wp[j]);
                    s0 = Fma.MultiplyAdd(Widen(row, mask, bias), w, s0);
                    s1 = Fma.MultiplyAdd(Widen(row + 8, mask, bias), w, s1);
                    s2 = Fma.MultiplyAdd(Widen(row + 16, mask, bias), w, s2);
                    s3 = Fma.MultiplyAdd(Widen(row + 24, mask, bias), w, s3);
                    s4 = Fma.MultiplyAdd(Widen(row + 32, mask, bias), w, s4);
                    s5 = Fma.MultiplyAdd(Widen(row + 40, mask, bias), w, s5);
                    s6 = Fma.MultiplyAdd(Widen(row + 48, mask, bias), w, s6);
                    s7 = Fma.MultiplyAdd(Widen(row + 56, mask, bias), w, s7);
                }

                var at = output + block;
                s0.Store(at);
                s1.Store(at + 8);
                s2.Store(at + 16);
                s3.Store(at + 24);
                s4.Store(at + 32);
                s5.Store(at + 40);
                s6.Store(at + 48);
                s7.Store(at + 56);
            }

            // Columns past the last whole block (a width not a multiple of 64), eight at a time.
            for (var column = width - (width % HalfBlock); column < width; column += 8)
            {
                Vector256<float> sum = default;
                for (var j = 0; j < ids.Length; j++)
                {
                    sum = Fma.MultiplyAdd(Widen((short*)(table + ((long)idp[j] * width) + column), mask, bias), Vector256.Create(wp[j]), sum);
                }

                sum.Store(output + column);
            }
        }
    }

    /// <summary>Halves widened eight at a time as the AVX2 kernel widens them, for a test over every finite half.</summary>
    internal static unsafe void WidenHalvesAvx2(ReadOnlySpan<Half> halves, Span<float> singles)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(halves.Length % 8, 0, nameof(halves));
        ArgumentOutOfRangeException.ThrowIfLessThan(singles.Length, halves.Length, nameof(singles));
        var mask = Vector256.Create(unchecked((int)0x8FFFFFFF));
        var bias = Vector256.Create(HalfToSingleScale);
        fixed (Half* source = halves)
        fixed (float* target = singles)
        {
            for (var i = 0; i < halves.Length; i += 8)
            {
                Widen((short*)(source + i), mask, bias).Store(target + i);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> Widen(short* halves, Vector256<int> mask, Vector256<float> bias) =>
        Avx.Multiply(Avx2.And(Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32(halves), 13), mask).AsSingle(), bias);

    private static unsafe void Prefetch(void* row, int bytes)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        for (var at = 0; at < bytes; at += CacheLineBytes)
        {
            Sse.Prefetch0((byte*)row + at);
        }
    }

    /// <summary>The table in half precision when every value is finite and a half holds it exactly; else null.</summary>
    internal static Half[]? ExactHalves(float[] table)
    {
        var halves = new Half[table.Length];
        for (var i = 0; i < table.Length; i++)
        {
            var half = (Half)table[i];
            if (!Half.IsFinite(half) || (float)half != table[i])
            {
                return null;
            }

            halves[i] = half;
        }

        return halves;
    }

    /// <summary>Rows prefetched ahead of the one being added: enough to cover a miss to memory, few enough to stay in L1.</summary>
    private const int PrefetchDistance = 4;

    private const int CacheLineBytes = 64;

    /// <summary>Columns summed per pass over the rows: eight registers of eight singles.</summary>
    private const int HalfBlock = 64;

    /// <summary>2¹¹², the difference of a single's exponent bias (127) and a half's (15) as a power of two.</summary>
    private static readonly float HalfToSingleScale = BitConverter.Int32BitsToSingle((127 + 112) << 23);

    public void Dispose() => (_featurizer as IDisposable)?.Dispose();

    /// <summary>
    /// One member's head, laid out as dot products: za = e·Wa + ba, a = softplus(za),
    /// logits = a·θᵀ + e·(Uᵀ − wb·1ᵀ) + (β − bb), as the exporter folds difficulty into the read-out. Each ability is one
    /// dot product of a column of Wa with e, and each logit one dot product of [θᵀ column; read-out column] with [a; e]:
    /// 20 short dot products a member for the shipped routers, where multiply-adds of rows took 72 calls.
    /// </summary>
    private sealed class Member
    {
        public required int D { get; init; }

        public required int K { get; init; }

        /// <summary>Wa transposed: K rows of D.</summary>
        public required float[] WaT { get; init; }

        public required float[] Ba { get; init; }

        /// <summary>Per expert, its θᵀ column (K) then its read-out column (D).</summary>
        public required float[] Out { get; init; }

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

            var waT = new float[k * d];
            for (var r = 0; r < d; r++)
            {
                for (var c = 0; c < k; c++)
                {
                    waT[c * d + r] = wa.Values[r * k + c];
                }
            }

            var output = new float[experts * (k + d)];
            for (var m = 0; m < experts; m++)
            {
                for (var c = 0; c < k; c++)
                {
                    output[m * (k + d) + c] = thetaT.Values[c * experts + m];
                }

                for (var r = 0; r < d; r++)
                {
                    output[m * (k + d) + k + r] = (ut?[r * experts + m] ?? 0f) - wb[r];
                }
            }

            var offset = new float[experts];
            TensorPrimitives.Subtract(beta, bb[0], offset);
            return (new Member { D = d, K = k, WaT = waT, Ba = tensors[prefix + "ba"].Values, Out = output, Offset = offset }, null);
        }

        public void Logits(ReadOnlySpan<float> embedding, Span<float> logits)
        {
            var width = K + D;
            Span<float> x = width <= 512 ? stackalloc float[width] : new float[width];
            for (var c = 0; c < K; c++)
            {
                x[c] = Softplus(Ba[c] + Dot(WaT.AsSpan(c * D, D), embedding));
            }

            embedding.CopyTo(x[K..]);
            for (var m = 0; m < logits.Length; m++)
            {
                logits[m] = Offset[m] + Dot(Out.AsSpan(m * width, width), x);
            }
        }

        /// <summary>Σ a·b, eight lanes at a time: the head's vectors are tens of floats, too short to pay for a library call.</summary>
        private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        {
            var i = 0;
            var sum = 0f;
            if (Vector256.IsHardwareAccelerated && a.Length >= 8)
            {
                var lanes = Vector256<float>.Zero;
                for (; i + 8 <= a.Length; i += 8)
                {
                    lanes = Vector256.FusedMultiplyAdd(Vector256.Create(a.Slice(i, 8)), Vector256.Create(b.Slice(i, 8)), lanes);
                }

                sum = Vector256.Sum(lanes);
            }

            for (; i < a.Length; i++)
            {
                sum = MathF.FusedMultiplyAdd(a[i], b[i], sum);
            }

            return sum;
        }

        /// <summary>log(1 + eˣ) without overflow for large x, as ONNX Runtime computes it.</summary>
        private static float Softplus(float x) => x > 0 ? x + MathF.Log(1f + MathF.Exp(-x)) : MathF.Log(1f + MathF.Exp(x));
    }
}
