using System.Text.Json;

namespace ExpertRouter.Simulation;

/// <summary>Which tool, if any, the answer calls.</summary>
internal static class ToolSelection
{
    /// <summary>The tool_choice string ("none", "auto", "required"), or the function name it names; null when absent.</summary>
    public static string? NamedTool(JsonElement choice) => choice.ValueKind switch
    {
        JsonValueKind.String => choice.GetString(),
        JsonValueKind.Object when choice.TryGetProperty("function", out var function)
            && function.ValueKind == JsonValueKind.Object
            && function.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String => name.GetString(),
        _ => null,
    };

    /// <summary>Chat's tool_choice as a <see cref="ToolDemand"/>.</summary>
    public static ToolDemand Demand(JsonElement choice) => NamedTool(choice) switch
    {
        null or "auto" => ToolDemand.Auto,
        "none" => ToolDemand.None,
        "required" => ToolDemand.Required,
        var name => ToolDemand.Named(name),
    };

    /// <summary>
    /// The tool to call, or null for a text answer. A turn that carries a tool's result is answered with text unless
    /// the client forces a call, so an agent loop against the simulator ends as it would against a real model.
    /// </summary>
    public static PromptTool? Choose(AnswerPrompt prompt)
    {
        if (prompt.Tools.Count == 0 || prompt.ToolChoice.Mode == "none")
        {
            return null;
        }

        if (prompt.AnswersToolResult && !prompt.ToolChoice.Forces)
        {
            return null;
        }

        return prompt.ToolChoice.Mode == "named"
            ? prompt.Tools.FirstOrDefault(tool => tool.Name == prompt.ToolChoice.Name)
            : prompt.Tools[0];
    }
}
