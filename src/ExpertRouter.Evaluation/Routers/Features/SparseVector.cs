using Microsoft.ML.Data;

namespace ExpertRouter.Evaluation.Routers.Features;

/// <summary>A sparse feature vector with ascending indices.</summary>
public readonly record struct SparseVector(int[] Indices, float[] Values)
{
    public int Count => Indices.Length;

    public static SparseVector From(in VBuffer<float> buffer)
    {
        var values = buffer.GetValues();
        if (!buffer.IsDense)
        {
            return new SparseVector(buffer.GetIndices().ToArray(), values.ToArray());
        }

        var indices = new List<int>();
        var kept = new List<float>();
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] != 0)
            {
                indices.Add(i);
                kept.Add(values[i]);
            }
        }

        return new SparseVector(indices.ToArray(), kept.ToArray());
    }

    public double Dot(ReadOnlySpan<float> dense)
    {
        var sum = 0.0;
        for (var i = 0; i < Indices.Length; i++)
        {
            sum += Values[i] * dense[Indices[i]];
        }

        return sum;
    }
}
