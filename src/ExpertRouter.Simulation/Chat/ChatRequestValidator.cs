using System.Text.Json;
using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Simulation;

/// <summary>Rejects what OpenAI would reject with a 400, naming the offending parameter.</summary>
internal static class ChatRequestValidator
{
    private static readonly string[] Roles = ["system", "developer", "user", "assistant", "tool", "function"];

    public static ApiError? Validate(ChatCompletionRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            return ApiError.InvalidRequest("you must provide a model parameter", "model", "missing_required_parameter");
        }

        if (request.Messages is not { Count: > 0 } messages)
        {
            return ApiError.InvalidRequest("'messages' must be a non-empty array.", "messages", "missing_required_parameter");
        }

        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i] is not { Role: { } role } || !Roles.Contains(role, StringComparer.Ordinal))
            {
                return ApiError.InvalidRequest($"messages[{i}].role must be one of {string.Join(", ", Roles)}.", $"messages[{i}].role");
            }
        }

        if (request.MaxTokens is < 1)
        {
            return ApiError.InvalidRequest("max_tokens must be at least 1.", "max_tokens", "integer_below_min_value");
        }

        if (request.MaxCompletionTokens is < 1)
        {
            return ApiError.InvalidRequest("max_completion_tokens must be at least 1.", "max_completion_tokens", "integer_below_min_value");
        }

        if (request.N is < 1 or > 128)
        {
            return ApiError.InvalidRequest($"n must be between 1 and 128 (was {request.N}).", "n", "invalid_value");
        }

        if (request.ResponseFormat?.Type is { } format && format is not ("text" or "json_object" or "json_schema"))
        {
            return ApiError.InvalidRequest($"response_format.type '{format}' is not one of text, json_object, json_schema.", "response_format.type");
        }

        return ValidateTools(request);
    }

    private static ApiError? ValidateTools(ChatCompletionRequest request)
    {
        var tools = request.Tools ?? [];
        for (var i = 0; i < tools.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(tools[i]?.Function?.Name))
            {
                return ApiError.InvalidRequest($"tools[{i}].function.name is required.", $"tools[{i}].function.name", "missing_required_parameter");
            }
        }

        var choice = request.ToolChoice;
        if (choice.ValueKind == JsonValueKind.String && choice.GetString() is var text && text is not ("none" or "auto" or "required"))
        {
            return ApiError.InvalidRequest($"tool_choice '{text}' is not one of none, auto, required.", "tool_choice");
        }

        if (choice.ValueKind is JsonValueKind.String or JsonValueKind.Object && tools.Count == 0 && ToolSelection.NamedTool(choice) is not "none")
        {
            return ApiError.InvalidRequest("tool_choice is only allowed when tools are specified.", "tool_choice");
        }

        if (ToolSelection.NamedTool(choice) is { } named && named is not ("none" or "auto" or "required")
            && !tools.Any(tool => tool.Function?.Name == named))
        {
            return ApiError.InvalidRequest($"tool_choice names '{named}', which is not among the tools.", "tool_choice");
        }

        return null;
    }
}
