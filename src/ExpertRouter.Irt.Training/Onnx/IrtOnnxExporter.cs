using ExpertRouter.Irt.Model;
using ExpertRouter.Irt.Onnx.Proto;
using ExpertRouter.Irt.Serving;
using DataType = ExpertRouter.Irt.Onnx.Proto.TensorProto.Types.DataType;

namespace ExpertRouter.Irt.Onnx;

/// <summary>
/// Exports an <see cref="IrtEnsemble"/> as one ONNX graph computing exactly what <see cref="IrtModel"/> computes.
/// Hashed input, one row per prompt padded to the batch's longest: <c>ids</c> (int64, batch × features) and
/// <c>weights</c> (float, batch × 1 × features; padding has weight 0).
/// Graphs exported before 2026-11-25 take the features flattened with a third input, <c>rows</c>; the scorer still
/// serves them (<see cref="Serving.HashedPromptScorer"/>).
/// Dense input (an external encoder's embedding): <c>embedding</c> (float, batch × D), with each member's table
/// taken as the identity. Output: <c>probabilities</c> (float, batch × experts).
/// </summary>
public static class IrtOnnxExporter
{
    public const string IdsInput = IrtGraphNames.IdsInput;
    public const string WeightsInput = IrtGraphNames.WeightsInput;
    public const string RowsInput = IrtGraphNames.RowsInput;
    public const string EmbeddingInput = IrtGraphNames.EmbeddingInput;
    public const string ProbabilitiesOutput = IrtGraphNames.ProbabilitiesOutput;

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
            builder.AddInput(IdsInput, DataType.Int64, "batch", "features");
            builder.AddInput(WeightsInput, DataType.Float, "batch", 1, "features");
            AddSharedEmbedding(builder, ensemble);
        }

        AddMembers(builder, ensemble, denseInput);
        builder.AddOutput(ProbabilitiesOutput, DataType.Float, "batch", first.Experts);
        return builder.Build("expertrouter-irt", metadata);
    }

    /// <summary>
    /// All members' tables side by side (rows × members·D), stored in half precision and cast to float by a node
    /// that ONNX Runtime folds away at load. One Gather fetches every feature's S·D columns (batch × features × S·D)
    /// and one batched MatMul pools them with the weights (batch × 1 × features), so a batch costs in proportion to
    /// its padded features. The flattened layout it replaced pooled with a (prompts × features) OneHot membership
    /// matrix: four more nodes, and work that grew with prompts × features, so a batch of 8 of the load test's prompts
    /// (133 features) cost 9.0 µs a prompt against 4.7 now (one alone: 19 → 12 µs; bench/README.md, "Latest run").
    /// Members then read their column blocks of the pooled rows (<see cref="AddMembers"/>).
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
        var pooled = g.AddNode("MatMul", "pooled", [WeightsInput, gathered]);
        g.AddNode("Reshape", "embedding_all", [pooled, g.AddInitializer("embedding_shape", [-1L, s * d], 2)]);
    }

    /// <summary>
    /// Every member in one set of nodes. Each member's parameters stay in the file under its own names (the importer
    /// reads them back for cold start); small constant subgraphs lay them side by side, which ONNX Runtime folds at
    /// load, so the members take 10 of a request's nodes whatever their count instead of 10 each: per-node dispatch
    /// was a large part of a small batch's cost. Per member, with difficulty folded into the read-out:
    /// logits = softplus(x·Wa + ba)·θᵀ + x·(Uᵀ − wb·1ᵀ) + (β − bb), and the output is the members' mean sigmoid.
    /// Members read disjoint column blocks of the shared embedding (block-diagonal weights) or, with a dense input,
    /// all read the same embedding (weights side by side).
    /// </summary>
    private static void AddMembers(OnnxGraphBuilder g, IrtEnsemble ensemble, bool denseInput)
    {
        var first = ensemble.Members[0];
        int s = ensemble.Members.Count, d = first.EmbeddingSize, k = first.AbilityDimensions, m = first.Experts;
        var input = denseInput ? EmbeddingInput : "embedding_all";
        var ones = g.AddInitializer("ones_row", Enumerable.Repeat(1f, m).ToArray(), 1, m);
        List<string> wa = [], ba = [], thetaT = [], read = [], offset = [];
        for (var i = 0; i < s; i++)
        {
            var p = ensemble.Members[i];
            var prefix = $"m{i}_";
            wa.Add(g.AddInitializer(prefix + "Wa", p.DiscriminationWeights, d, k));
            ba.Add(g.AddInitializer(prefix + "ba", p.DiscriminationBias, k));
            thetaT.Add(g.AddInitializer(prefix + "thetaT", Transpose(p.Abilities, m, k), k, m));
            var wb = g.AddInitializer(prefix + "wb", p.DifficultyWeights, d, 1);
            var bb = g.AddInitializer(prefix + "bb", p.DifficultyBias, 1);
            var beta = g.AddInitializer(prefix + "beta", p.ExpertBias, m);
            var difficulty = g.AddNode("MatMul", prefix + "difficulty_read", [wb, ones]);
            read.Add(p.ExpertLinear.Any(v => v != 0f)
                ? g.AddNode("Sub", prefix + "read", [g.AddInitializer(prefix + "UT", Transpose(p.ExpertLinear, m, d), d, m), difficulty])
                : g.AddNode("Neg", prefix + "read", [difficulty]));
            offset.Add(g.AddNode("Sub", prefix + "offset", [beta, bb]));
        }

        var waAll = denseInput ? SideBySide(g, "Wa_all", wa) : BlockDiagonal(g, "Wa_all", wa, k);
        var readAll = denseInput ? SideBySide(g, "read_all", read) : BlockDiagonal(g, "read_all", read, m);
        var thetaAll = BlockDiagonal(g, "thetaT_all", thetaT, m);
        var za = g.AddNode("Add", "za", [g.AddNode("MatMul", "za_mm", [input, waAll]), g.AddNode("Concat", "ba_all", [.. ba], OnnxGraphBuilder.IntAttribute("axis", 0))]);
        var a = g.AddNode("Softplus", "a", [za]);
        var ability = g.AddNode("MatMul", "ability", [a, thetaAll]);
        var direct = g.AddNode("MatMul", "direct_read", [input, readAll]);
        var logits = g.AddNode("Add", "logits", [g.AddNode("Add", "logits_read", [ability, direct]), g.AddNode("Concat", "offset_all", [.. offset], OnnxGraphBuilder.IntAttribute("axis", 0))]);
        var probabilities = g.AddNode("Sigmoid", "member_probabilities", [logits]);
        if (s == 1)
        {
            g.AddNode("Identity", ProbabilitiesOutput, [probabilities]);
            return;
        }

        var byMember = g.AddNode("Reshape", "by_member", [probabilities, g.AddInitializer("members_shape", [-1L, s, m], 3)]);
        g.AddNode("ReduceMean", ProbabilitiesOutput, [byMember], OnnxGraphBuilder.IntsAttribute("axes", 1), OnnxGraphBuilder.IntAttribute("keepdims", 0));
    }

    /// <summary>Blocks (each rows × <paramref name="columns"/>) on the diagonal of one constant matrix.</summary>
    private static string BlockDiagonal(OnnxGraphBuilder g, string name, IReadOnlyList<string> blocks, int columns)
    {
        var padded = new string[blocks.Count];
        for (var i = 0; i < blocks.Count; i++)
        {
            var pads = g.AddInitializer($"{name}_pads{i}", [0L, (long)i * columns, 0L, (long)(blocks.Count - 1 - i) * columns], 4);
            padded[i] = g.AddNode("Pad", $"{name}_block{i}", [blocks[i], pads]);
        }

        return g.AddNode("Concat", name, padded, OnnxGraphBuilder.IntAttribute("axis", 0));
    }

    private static string SideBySide(OnnxGraphBuilder g, string name, IReadOnlyList<string> blocks) =>
        g.AddNode("Concat", name, [.. blocks], OnnxGraphBuilder.IntAttribute("axis", 1));

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
