using System.Text;
using Microsoft.SemanticKernel;

namespace ExpertRouter.Gateway.Ensembles;

/// <summary>
/// The judge, aggregator and verifier prompts as Semantic Kernel functions, built once from the templates embedded
/// under <c>Ensembles/Prompts</c>. Each template wraps its text in <c>&lt;message&gt;</c> tags, so SK encodes
/// the inserted expert answers and they cannot smuggle in a system message of their own.
/// </summary>
public sealed class EnsemblePrompts
{
    public EnsemblePrompts()
    {
        Judge = Create("judge");
        Aggregator = Create("aggregator");
        Verifier = Create("verifier");
    }

    public KernelFunction Judge { get; }

    public KernelFunction Aggregator { get; }

    public KernelFunction Verifier { get; }

    /// <summary>Numbered candidates as the judge and aggregator templates show them.</summary>
    public static string Numbered(IReadOnlyList<string> answers)
    {
        var text = new StringBuilder();
        for (var i = 0; i < answers.Count; i++)
        {
            text.Append('[').Append(i + 1).Append("]\n").Append(answers[i].Trim()).Append("\n\n");
        }

        return text.ToString().TrimEnd();
    }

    private static KernelFunction Create(string name)
    {
        var resource = $"ExpertRouter.Gateway.Ensembles.Prompts.{name}.prompt.txt";
        using var stream = typeof(EnsemblePrompts).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Prompt template '{resource}' is not embedded.");
        using var reader = new StreamReader(stream);
        // The overload taking serializer options needs no reflection: the templates only ever receive strings.
        return KernelFunctionFactory.CreateFromPrompt(reader.ReadToEnd(), EnsemblePromptJson.Default.Options, functionName: name);
    }
}

/// <summary>The JSON Semantic Kernel needs for the prompt functions' string arguments, source-generated for the native build.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class EnsemblePromptJson : System.Text.Json.Serialization.JsonSerializerContext;
