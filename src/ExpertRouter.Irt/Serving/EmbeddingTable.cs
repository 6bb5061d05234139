using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ExpertRouter.Irt.Serving;

/// <summary>
/// A hashed graph's shared embedding table (rows of members·D columns) and the pooling of a prompt's rows over it.
/// Held in half precision when that holds it exactly (every table the exporter writes since the shared table became
/// float16), else in single precision: half the bytes is half the cache lines a prompt's rows take from memory.
/// </summary>
internal sealed class EmbeddingTable
{
    private readonly Half[]? _halves;
    private readonly float[]? _floats;
    private readonly int _width;
    private readonly int _rows;

    public EmbeddingTable(float[] values, int width)
    {
        _halves = ExactHalves(values);
        _floats = _halves is null ? values : null;
        _width = width;
        _rows = values.Length / width;
    }

    public int Rows => _rows;

    /// <summary>Columns of a row: every member's embedding side by side.</summary>
    public int Width => _width;

    /// <summary>True when the table is held in half precision (exactly, as the graph stores it).</summary>
    public bool IsHalfPrecision => _halves is not null;

    /// <summary>Pools a half-precision table on the path for machines without AVX2 and FMA, so tests cover it on any machine.</summary>
    public bool PortablePooling { get; set; }

    /// <summary>
    /// Σ weight · row over the prompt's features, reading each row where it lies. The rows are scattered over a table
    /// of megabytes that the rest of a request's work evicts from the caches, so in the gateway pooling waits on
    /// memory (25 µs for 512 features under load against 9 µs with the table warm, bench/README.md): the table is
    /// held in half precision, the rows a few features ahead are prefetched while the current one is added, and the
    /// sums stay in registers across rows instead of going through memory after every row.
    /// </summary>
    public void Pool(ReadOnlySpan<int> ids, ReadOnlySpan<float> weights, Span<float> pooled)
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
}
