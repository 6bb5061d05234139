using ExpertRouter.Irt.Encoding;

namespace ExpertRouter.Irt.Model;

/// <summary>
/// The reference computation of the IRT router in plain C#, in the same operation order as the exported ONNX graph.
/// Training and tests use it; serving runs the ONNX graph.
/// </summary>
public static class IrtModel
{
    public static void Embed(IrtParameters p, HashedFeatures features, Span<float> embedding)
    {
        var d = p.EmbeddingSize;
        embedding.Clear();
        for (var j = 0; j < features.Ids.Length; j++)
        {
            var row = p.Embedding.AsSpan(features.Ids[j] * d, d);
            var w = features.Weights[j];
            for (var c = 0; c < d; c++)
            {
                embedding[c] += w * row[c];
            }
        }
    }

    /// <summary>Writes pre-activation discrimination za (K), and returns difficulty b.</summary>
    public static float Item(IrtParameters p, ReadOnlySpan<float> embedding, Span<float> preDiscrimination, Span<float> discrimination)
    {
        var d = p.EmbeddingSize;
        var k = p.AbilityDimensions;
        p.DiscriminationBias.AsSpan().CopyTo(preDiscrimination);
        for (var r = 0; r < d; r++)
        {
            var e = embedding[r];
            var row = p.DiscriminationWeights.AsSpan(r * k, k);
            for (var c = 0; c < k; c++)
            {
                preDiscrimination[c] += e * row[c];
            }
        }

        for (var c = 0; c < k; c++)
        {
            discrimination[c] = Softplus(preDiscrimination[c]);
        }

        var difficulty = p.DifficultyBias[0];
        for (var r = 0; r < d; r++)
        {
            difficulty += embedding[r] * p.DifficultyWeights[r];
        }

        return difficulty;
    }

    public static float Logit(IrtParameters p, int expert, ReadOnlySpan<float> embedding, ReadOnlySpan<float> discrimination, float difficulty)
    {
        var k = p.AbilityDimensions;
        var d = p.EmbeddingSize;
        var theta = p.Abilities.AsSpan(expert * k, k);
        var dot = 0f;
        for (var c = 0; c < k; c++)
        {
            dot += discrimination[c] * theta[c];
        }

        var linear = p.ExpertLinear.AsSpan(expert * d, d);
        var read = 0f;
        for (var c = 0; c < d; c++)
        {
            read += embedding[c] * linear[c];
        }

        return dot - difficulty + p.ExpertBias[expert] + read;
    }

    /// <summary>P(answers well) for every expert.</summary>
    public static void Predict(IrtParameters p, HashedFeatures features, Span<float> probabilities)
    {
        Span<float> embedding = stackalloc float[p.EmbeddingSize];
        Span<float> pre = stackalloc float[p.AbilityDimensions];
        Span<float> a = stackalloc float[p.AbilityDimensions];
        Embed(p, features, embedding);
        var b = Item(p, embedding, pre, a);
        for (var m = 0; m < p.Experts; m++)
        {
            probabilities[m] = Sigmoid(Logit(p, m, embedding, a, b));
        }
    }

    public static float Softplus(float x) => x > 20f ? x : MathF.Log(1f + MathF.Exp(x));

    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
}
