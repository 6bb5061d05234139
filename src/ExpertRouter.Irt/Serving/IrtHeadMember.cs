using System.Numerics.Tensors;

namespace ExpertRouter.Irt.Serving;

/// <summary>
/// One member's head, laid out as dot products: za = e·Wa + ba, a = softplus(za),
/// logits = a·θᵀ + e·(Uᵀ − wb·1ᵀ) + (β − bb), as the exporter folds difficulty into the read-out. Each ability is one
/// dot product of a column of Wa with e, and each logit one dot product of [θᵀ column; read-out column] with [a; e]:
/// 20 dot products a member for the shipped routers, where multiply-adds of rows took 72 calls.
/// </summary>
internal sealed class IrtHeadMember
{
    public required int D { get; init; }

    public required int K { get; init; }

    /// <summary>Wa transposed: K rows of D.</summary>
    public required float[] WaT { get; init; }

    public required float[] Ba { get; init; }

    /// <summary>Per expert, its θᵀ column (K) then its read-out column (D).</summary>
    public required float[] Out { get; init; }

    public required float[] Offset { get; init; }

    public static (IrtHeadMember?, string?) Read(Dictionary<string, OnnxFloatTensor> tensors, string prefix, int experts)
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
        return (new IrtHeadMember { D = d, K = k, WaT = waT, Ba = tensors[prefix + "ba"].Values, Out = output, Offset = offset }, null);
    }

    public void Logits(ReadOnlySpan<float> embedding, Span<float> logits)
    {
        var width = K + D;
        Span<float> x = width <= 512 ? stackalloc float[width] : new float[width];
        for (var c = 0; c < K; c++)
        {
            x[c] = Softplus(Ba[c] + TensorPrimitives.Dot(WaT.AsSpan(c * D, D), embedding));
        }

        embedding.CopyTo(x[K..]);
        for (var m = 0; m < logits.Length; m++)
        {
            logits[m] = Offset[m] + TensorPrimitives.Dot(Out.AsSpan(m * width, width), x);
        }
    }

    /// <summary>log(1 + eˣ) without overflow for large x, as ONNX Runtime computes it.</summary>
    private static float Softplus(float x) => x > 0 ? x + MathF.Log(1f + MathF.Exp(-x)) : MathF.Log(1f + MathF.Exp(x));
}
