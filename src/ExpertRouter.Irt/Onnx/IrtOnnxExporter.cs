using ExpertRouter.Irt.Model;
using ExpertRouter.Irt.Onnx.Proto;
using DataType = ExpertRouter.Irt.Onnx.Proto.TensorProto.Types.DataType;

namespace ExpertRouter.Irt.Onnx;

/// <summary>
/// Exports an <see cref="IrtEnsemble"/> as one ONNX graph computing exactly what <see cref="IrtModel"/> computes.
/// Hashed input, the batch's features flattened: <c>ids</c> (int64), <c>weights</c> (float) and <c>rows</c> (int64, the
/// prompt each feature belongs to, ascending; every prompt has at least one feature).
/// Dense input (an external encoder's embedding): <c>embedding</c> (float, batch × D), with each member's table
/// taken as the identity. Output: <c>probabilities</c> (float, batch × experts).
/// </summary>
public static class IrtOnnxExporter
{
    public const string IdsInput = "ids";
    public const string WeightsInput = "weights";
    public const string RowsInput = "rows";
    public const string EmbeddingInput = "embedding";
    public const string ProbabilitiesOutput = "probabilities";

    /// <summary>The shared half-precision embedding table of a hashed graph (rows × members·D).</summary>
    public const string TableName = "E_all";

    public static ModelProto Export(IrtEnsemble ensemble, bool denseInput, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var first = ensemble.Members[0];
        var builder = new OnnxGraphBuilder("irt_router");
        if (denseInput)
        {
            builder.AddInput(EmbeddingInput, DataType.Float, "batch", first.EmbeddingSize);
        }
        else
        {
            builder.AddInput(IdsInput, DataType.Int64, "features");
            builder.AddInput(WeightsInput, DataType.Float, "features");
            builder.AddInput(RowsInput, DataType.Int64, "features");
            AddSharedEmbedding(builder, ensemble);
        }

        var memberOutputs = new List<string>();
        for (var i = 0; i < ensemble.Members.Count; i++)
        {
            var embedding = denseInput ? EmbeddingInput : builder.AddNode(
                "Slice",
                $"m{i}_embedding",
                ["embedding_all", builder.AddInitializer($"m{i}_from", [(long)i * first.EmbeddingSize], 1), builder.AddInitializer($"m{i}_to", [(long)(i + 1) * first.EmbeddingSize], 1), "axis_columns"]);
            memberOutputs.Add(AddMember(builder, ensemble.Members[i], $"m{i}_", embedding));
        }

        if (memberOutputs.Count == 1)
        {
            builder.AddNode("Identity", ProbabilitiesOutput, [memberOutputs[0]]);
        }
        else
        {
            builder.AddNode("Mean", ProbabilitiesOutput, [.. memberOutputs]);
        }

        builder.AddOutput(ProbabilitiesOutput, DataType.Float, "batch", first.Experts);
        return builder.Build("expertrouter-irt", metadata);
    }

    /// <summary>
    /// All members' tables side by side (rows × members·D), stored in half precision and cast to float by a node
    /// that ONNX Runtime folds away at load. The batch arrives flattened, without padding: feature t has id, weight
    /// and the row (prompt) it belongs to. One Gather fetches every feature's S·D columns, and a ScatterND with
    /// reduction "add" sums them into their prompt's row, so the work is proportional to the features, not to
    /// batch × longest prompt. A Slice per member then takes its D columns.
    /// </summary>
    private static void AddSharedEmbedding(OnnxGraphBuilder g, IrtEnsemble ensemble)
    {
        var first = ensemble.Members[0];
        int rows = first.InputRows, d = first.EmbeddingSize, s = ensemble.Members.Count;
        var table = new float[rows * s * d];
        for (var m = 0; m < s; m++)
        {
            var member = ensemble.Members[m].Embedding;
            for (var r = 0; r < rows; r++)
            {
                member.AsSpan(r * d, d).CopyTo(table.AsSpan(r * s * d + m * d, d));
            }
        }

        // Training rounds each table to half precision first (IrtParameters.RoundEmbeddingToHalf), so this graph
        // and the C# computation still agree.
        var half = g.AddHalfInitializer(TableName, table, rows, s * d);
        var full = g.AddNode("Cast", "table_float", [half], OnnxGraphBuilder.IntAttribute("to", 1));
        var gathered = g.AddNode("Gather", "gathered", [full, IdsInput], OnnxGraphBuilder.IntAttribute("axis", 0));
        var axis1 = g.AddInitializer("axis_columns", [1L], 1);
        var weighted = g.AddNode("Mul", "weighted", [gathered, g.AddNode("Unsqueeze", "weights_column", [WeightsInput, axis1])]);
        // Prompt count = last row + 1 (the scorer gives every prompt at least one feature, padding with weight 0).
        var last = g.AddNode("ReduceMax", "last_row", [RowsInput], OnnxGraphBuilder.IntAttribute("keepdims", 1));
        var count = g.AddNode("Add", "prompt_count", [last, g.AddInitializer("one", [1L], 1)]);
        var shape = g.AddNode("Concat", "pooled_shape", [count, g.AddInitializer("width", [(long)s * d], 1)], OnnxGraphBuilder.IntAttribute("axis", 0));
        var zeros = g.AddNode("ConstantOfShape", "pooled_zeros", [shape]);
        var indices = g.AddNode("Unsqueeze", "row_indices", [RowsInput, axis1]);
        g.AddNode("ScatterND", "embedding_all", [zeros, indices, weighted], OnnxGraphBuilder.StringAttribute("reduction", "add"));
    }

    private static string AddMember(OnnxGraphBuilder g, IrtParameters p, string prefix, string embedding)
    {
        int d = p.EmbeddingSize, k = p.AbilityDimensions, m = p.Experts;
        var wa = g.AddInitializer(prefix + "Wa", p.DiscriminationWeights, d, k);
        var ba = g.AddInitializer(prefix + "ba", p.DiscriminationBias, k);
        var za = g.AddNode("Add", prefix + "za", [g.AddNode("MatMul", prefix + "za_mm", [embedding, wa]), ba]);
        var a = g.AddNode("Softplus", prefix + "a", [za]);
        var wb = g.AddInitializer(prefix + "wb", p.DifficultyWeights, d, 1);
        var bb = g.AddInitializer(prefix + "bb", p.DifficultyBias, 1);
        var b = g.AddNode("Add", prefix + "b", [g.AddNode("MatMul", prefix + "b_mm", [embedding, wb]), bb]);
        var thetaT = g.AddInitializer(prefix + "thetaT", Transpose(p.Abilities, m, k), k, m);
        var ability = g.AddNode("MatMul", prefix + "ability", [a, thetaT]);
        var centered = g.AddNode("Sub", prefix + "centered", [ability, b]);
        var beta = g.AddInitializer(prefix + "beta", p.ExpertBias, m);
        var logits = g.AddNode("Add", prefix + "biased", [centered, beta]);
        if (p.ExpertLinear.Any(v => v != 0f))
        {
            var uT = g.AddInitializer(prefix + "UT", Transpose(p.ExpertLinear, m, d), d, m);
            var read = g.AddNode("MatMul", prefix + "read", [embedding, uT]);
            logits = g.AddNode("Add", prefix + "logits", [logits, read]);
        }

        return g.AddNode("Sigmoid", prefix + "probabilities", [logits]);
    }

    private static float[] Transpose(float[] values, int rows, int columns)
    {
        var result = new float[values.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                result[c * rows + r] = values[r * columns + c];
            }
        }

        return result;
    }
}
