using Microsoft.ML.Data;

namespace ExpertRouter.Evaluation.Routers.Features;

/// <summary>
/// Per-expert binary training examples over prompt vectors. A fractional score s (AlpacaEval's judge preference)
/// becomes a positive example of weight s and a negative one of weight 1 − s; prompts the expert never answered are
/// left out.
/// </summary>
internal static class WeightedExamples
{
    public static IEnumerable<WeightedExample> For(FeaturizedTrainingSet set, int expert)
    {
        var scores = set.Scores[expert];
        var dimension = set.Featurizer.Dimension;
        for (var row = 0; row < scores.Length; row++)
        {
            var s = scores[row];
            if (double.IsNaN(s))
            {
                continue;
            }

            var features = Vector(set.Vectors[row], dimension);
            if (s > 0)
            {
                yield return new WeightedExample { Features = features, Label = true, Weight = (float)s };
            }

            if (s < 1)
            {
                yield return new WeightedExample { Features = features, Label = false, Weight = (float)(1 - s) };
            }
        }
    }

    public static VBuffer<float> Vector(SparseVector v, int dimension) => new(dimension, v.Count, v.Values, v.Indices);

    /// <summary>The schema ML.NET needs to know the vector size at run time.</summary>
    public static SchemaDefinition Schema(int dimension)
    {
        var schema = SchemaDefinition.Create(typeof(WeightedExample));
        schema[nameof(WeightedExample.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dimension);
        return schema;
    }
}

internal sealed class WeightedExample
{
    public VBuffer<float> Features { get; set; }

    public bool Label { get; set; }

    public float Weight { get; set; }
}
