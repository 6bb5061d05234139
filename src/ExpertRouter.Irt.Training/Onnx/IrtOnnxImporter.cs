using ExpertRouter.Irt.Model;
using ExpertRouter.Irt.Onnx.Proto;

namespace ExpertRouter.Irt.Onnx;

/// <summary>Reads an ensemble back from a graph written by <see cref="IrtOnnxExporter"/> (for cold start).</summary>
public static class IrtOnnxImporter
{
    public static IrtEnsemble Read(ModelProto model)
    {
        var tensors = model.Graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var members = new List<IrtParameters>();
        var shared = tensors.TryGetValue(IrtOnnxExporter.TableName, out var all) ? OnnxModelFile.ReadFloats(all) : null;
        var count = 0;
        while (tensors.ContainsKey($"m{count}_Wa"))
        {
            count++;
        }

        for (var i = 0; tensors.ContainsKey($"m{i}_Wa"); i++)
        {
            var prefix = $"m{i}_";
            var wa = tensors[prefix + "Wa"];
            var thetaT = tensors[prefix + "thetaT"];
            int d = (int)wa.Dims[0], k = (int)wa.Dims[1], m = (int)thetaT.Dims[1];
            var rows = all is not null ? (int)all.Dims[0] : d;
            var p = new IrtParameters(rows, d, k, m);
            if (shared is not null)
            {
                for (var r = 0; r < rows; r++)
                {
                    shared.AsSpan(r * count * d + i * d, d).CopyTo(p.Embedding.AsSpan(r * d, d));
                }
            }
            else
            {
                for (var r = 0; r < d; r++)
                {
                    p.Embedding[r * d + r] = 1f;
                }
            }

            OnnxModelFile.ReadFloats(wa).CopyTo(p.DiscriminationWeights, 0);
            OnnxModelFile.ReadFloats(tensors[prefix + "ba"]).CopyTo(p.DiscriminationBias, 0);
            OnnxModelFile.ReadFloats(tensors[prefix + "wb"]).CopyTo(p.DifficultyWeights, 0);
            OnnxModelFile.ReadFloats(tensors[prefix + "bb"]).CopyTo(p.DifficultyBias, 0);
            Transpose(OnnxModelFile.ReadFloats(thetaT), k, m).CopyTo(p.Abilities, 0);
            OnnxModelFile.ReadFloats(tensors[prefix + "beta"]).CopyTo(p.ExpertBias, 0);
            if (tensors.TryGetValue(prefix + "UT", out var uT))
            {
                Transpose(OnnxModelFile.ReadFloats(uT), d, m).CopyTo(p.ExpertLinear, 0);
            }

            members.Add(p);
        }

        return members.Count > 0
            ? new IrtEnsemble(members)
            : throw new InvalidDataException("The graph holds no IRT ensemble member (no 'm0_Wa' initializer).");
    }

    public static bool IsDense(ModelProto model) => model.Graph.Input.Any(i => i.Name == IrtOnnxExporter.EmbeddingInput);

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
