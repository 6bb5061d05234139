using Microsoft.ML.OnnxRuntime;

namespace ExpertRouter.Irt.Serving;

/// <summary>Checks at load that a graph has the inputs and output a scorer feeds and reads, so mistakes fail early.</summary>
internal static class OnnxContract
{
    public static void Require(InferenceSession session, IReadOnlyList<string> inputs, string output, int experts)
    {
        var errors = new List<string>();
        foreach (var name in inputs)
        {
            if (!session.InputMetadata.ContainsKey(name))
            {
                errors.Add($"missing input '{name}' (has {string.Join(", ", session.InputMetadata.Keys)})");
            }
        }

        if (!session.OutputMetadata.TryGetValue(output, out var metadata))
        {
            errors.Add($"missing output '{output}' (has {string.Join(", ", session.OutputMetadata.Keys)})");
        }
        else if (metadata.Dimensions.Length != 2 || (metadata.Dimensions[1] > 0 && metadata.Dimensions[1] != experts))
        {
            errors.Add($"output '{output}' has shape [{string.Join(", ", metadata.Dimensions)}], expected [batch, {experts}]");
        }

        if (errors.Count > 0)
        {
            throw new InvalidDataException("The ONNX graph does not match router.json: " + string.Join("; ", errors) + ".");
        }
    }
}
