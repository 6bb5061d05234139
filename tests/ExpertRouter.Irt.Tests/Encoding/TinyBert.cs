using ExpertRouter.Irt.Onnx;
using DataType = ExpertRouter.Irt.Onnx.Proto.TensorProto.Types.DataType;

namespace ExpertRouter.Irt.Tests.Encoding;

/// <summary>
/// A BERT-shaped ONNX graph written with the project's own writer (no pretrained weights can be downloaded):
/// last_hidden_state = (E_token[input_ids] + E_type[token_type_ids]) · attention_mask, with a matching vocab.txt.
/// </summary>
internal static class TinyBert
{
    public const int Hidden = 6;

    public static readonly string[] Vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "##s", "the", "cat"];

    public static float[] TokenTable { get; } = Enumerable.Range(0, Vocabulary.Length * Hidden).Select(i => MathF.Sin(i * 0.7f)).ToArray();

    public static float[] TypeTable { get; } = Enumerable.Range(0, 2 * Hidden).Select(i => 0.01f * i).ToArray();

    /// <summary>Writes encoder.onnx and vocab.txt into <paramref name="folder"/>.</summary>
    public static void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllLines(Path.Combine(folder, "vocab.txt"), Vocabulary);
        var g = new OnnxGraphBuilder("tiny_bert");
        g.AddInput("input_ids", DataType.Int64, "batch", "tokens");
        g.AddInput("attention_mask", DataType.Int64, "batch", "tokens");
        g.AddInput("token_type_ids", DataType.Int64, "batch", "tokens");
        var tokens = g.AddNode("Gather", "tok", [g.AddInitializer("E_token", TokenTable, Vocabulary.Length, Hidden), "input_ids"]);
        var types = g.AddNode("Gather", "typ", [g.AddInitializer("E_type", TypeTable, 2, Hidden), "token_type_ids"]);
        var sum = g.AddNode("Add", "sum", [tokens, types]);
        var mask = g.AddNode("Cast", "mask_f", ["attention_mask"], OnnxGraphBuilder.IntAttribute("to", 1));
        var mask3 = g.AddNode("Unsqueeze", "mask_3d", [mask, g.AddInitializer("axis2", [2L], 1)]);
        g.AddNode("Mul", "last_hidden_state", [sum, mask3]);
        g.AddOutput("last_hidden_state", DataType.Float, "batch", "tokens", Hidden);
        OnnxModelFile.Write(g.Build("test"), Path.Combine(folder, "encoder.onnx"));
    }

    /// <summary>What mean pooling must give for these token ids (type 0 everywhere).</summary>
    public static float[] ExpectedEmbedding(params int[] ids)
    {
        var result = new float[Hidden];
        foreach (var id in ids)
        {
            for (var c = 0; c < Hidden; c++)
            {
                result[c] += (TokenTable[id * Hidden + c] + TypeTable[c]) / ids.Length;
            }
        }

        return result;
    }
}
