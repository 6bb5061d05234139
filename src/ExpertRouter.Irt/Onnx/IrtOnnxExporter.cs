using ExpertRouter.Irt.Model;
using ExpertRouter.Irt.Onnx.Proto;
using DataType = ExpertRouter.Irt.Onnx.Proto.TensorProto.Types.DataType;

namespace ExpertRouter.Irt.Onnx;

/// <summary>
/// Exports an <see cref="IrtEnsemble"/> as one ONNX graph computing exactly what <see cref="IrtModel"/> computes.
/// Hashed input: <c>ids</c> (int64, batch × features, padded with any id) and <c>weights</c> (float, 0 on padding).
/// Dense input (an external encoder's embedding): <c>embedding</c> (float, batch × D), with each member's table
/// taken as the identity. Output: <c>probabilities</c> (float, batch × experts).
/// </summary>
public static class IrtOnnxExporter
{
    public const string IdsInput = "ids";
    public const string WeightsInput = "weights";
    public const string EmbeddingInput = "embedding";
    public const string ProbabilitiesOutput = "probabilities";

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
            builder.AddInput(WeightsInput, DataType.Float, "batch", "features");
            builder.AddInitializer("axis_features", [2L], 1);
            builder.AddInitializer("axis_sum", [1L], 1);
            builder.AddNode("Unsqueeze", "weights_3d", [WeightsInput, "axis_features"]);
        }

        var memberOutputs = new List<string>();
        for (var i = 0; i < ensemble.Members.Count; i++)
        {
            memberOutputs.Add(AddMember(builder, ensemble.Members[i], $"m{i}_", denseInput));
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

    private static string AddMember(OnnxGraphBuilder g, IrtParameters p, string prefix, bool denseInput)
    {
        int d = p.EmbeddingSize, k = p.AbilityDimensions, m = p.Experts;
        string embedding;
        if (denseInput)
        {
            embedding = EmbeddingInput;
        }
        else
        {
            // The table is most of the file; half precision halves it. Training rounds it to half first
            // (IrtParameters.RoundEmbeddingToHalf), so the graph and the C# computation still agree.
            var table = g.AddHalfInitializer(prefix + "E", p.Embedding, p.InputRows, d);
            var gatheredHalf = g.AddNode("Gather", prefix + "gathered_half", [table, IdsInput], OnnxGraphBuilder.IntAttribute("axis", 0));
            var gathered = g.AddNode("Cast", prefix + "gathered", [gatheredHalf], OnnxGraphBuilder.IntAttribute("to", 1));
            var weighted = g.AddNode("Mul", prefix + "weighted", [gathered, "weights_3d"]);
            embedding = g.AddNode("ReduceSum", prefix + "embedding", [weighted, "axis_sum"], OnnxGraphBuilder.IntAttribute("keepdims", 0));
        }

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
