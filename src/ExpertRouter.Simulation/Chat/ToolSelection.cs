using System.Text.Json;

namespace ExpertRouter.Simulation;

/// <summary>Which tool, if any, a request's <c>tools</c> and <c>tool_choice</c> make the answer call.</summary>
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

    public static ToolFunction? Choose(ChatCompletionRequest request)
    {
        if (request.Tools is not { Count: > 0 } tools)
        {
            return null;
        }

        return NamedTool(request.ToolChoice) switch
        {
            "none" => null,
            null or "auto" or "required" => tools[0].Function,
            var name => tools.FirstOrDefault(tool => tool.Function?.Name == name)?.Function,
        };
    }
}
