using System.Text.Json;
using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Simulation;

/// <summary>
/// Maps a Responses API request (<c>POST /v1/responses</c>) onto an <see cref="AnswerPrompt"/>: <c>instructions</c>
/// and every input item become plain messages (a <c>function_call_output</c> is a tool message, so a turn that
/// carries a tool's result is answered with text). The simulator keeps no state: <c>previous_response_id</c> is
/// echoed, not followed.
/// </summary>
internal static class ResponsesPrompt
{
    private static readonly string[] Roles = ["user", "assistant", "system", "developer"];

    public static (AnswerPrompt? Prompt, ApiError? Error) Read(JsonElement root)
    {
        if (root.String("model") is not { Length: > 0 } model)
        {
            return (null, ApiError.InvalidRequest("Missing required parameter: 'model'.", "model", "missing_required_parameter"));
        }

        var messages = new List<PromptMessage>();
        if (root.String("instructions") is { Length: > 0 } instructions)
        {
            messages.Add(new PromptMessage("system", instructions));
        }

        var input = root.Member("input");
        if (input.ValueKind == JsonValueKind.String)
        {
            messages.Add(new PromptMessage("user", input.GetString()!));
        }
        else if (input.ValueKind == JsonValueKind.Array && input.GetArrayLength() > 0)
        {
            var index = 0;
            foreach (var item in input.EnumerateArray())
            {
                if (ReadItem(item, $"input[{index++}]", messages) is { } itemError)
                {
                    return (null, itemError);
                }
            }
        }
        else
        {
            return (null, ApiError.InvalidRequest("'input' must be a string or a non-empty array of input items.", "input", "missing_required_parameter"));
        }

        if (root.Int("max_output_tokens") is < 1)
        {
            return (null, ApiError.InvalidRequest("max_output_tokens must be at least 1.", "max_output_tokens", "integer_below_min_value"));
        }

        var tools = root.Items("tools")
            .Where(tool => tool.String("type") == "function" && tool.String("name") is not null)
            .Select(tool => new PromptTool(tool.String("name")!, tool.Member("parameters")))
            .ToArray();
        return (new AnswerPrompt(model, messages, tools, Demand(root.Member("tool_choice")), root.Int("max_output_tokens"), Format(root)), null);
    }

    private static ApiError? ReadItem(JsonElement item, string path, List<PromptMessage> messages)
    {
        var type = item.String("type") ?? (item.String("role") is not null ? "message" : null);
        switch (type)
        {
            case "message":
                if (item.String("role") is not { } role || !Roles.Contains(role, StringComparer.Ordinal))
                {
                    return ApiError.InvalidRequest($"{path}.role must be one of {string.Join(", ", Roles)}.", path + ".role");
                }

                messages.Add(new PromptMessage(role == "developer" ? "system" : role, JsonFields.TextOf(item.Member("content"))));
                return null;
            case "function_call":
                messages.Add(new PromptMessage("assistant", item.String("arguments") ?? ""));
                return null;
            case "function_call_output":
                messages.Add(new PromptMessage("tool", JsonFields.TextOf(item.Member("output"))));
                return null;
            case "reasoning":
                return null;
            default:
                return ApiError.InvalidRequest($"{path}.type '{type}' is not one of message, function_call, function_call_output, reasoning.", path + ".type");
        }
    }

    private static ToolDemand Demand(JsonElement choice) => choice.ValueKind switch
    {
        JsonValueKind.String => choice.GetString() switch
        {
            "none" => ToolDemand.None,
            "required" => ToolDemand.Required,
            _ => ToolDemand.Auto,
        },
        JsonValueKind.Object when choice.String("name") is { } name => ToolDemand.Named(name),
        _ => ToolDemand.Auto,
    };

    private static PromptFormat Format(JsonElement root)
    {
        var format = root.Member("text").Member("format");
        return format.String("type") switch
        {
            "json_schema" => new PromptFormat("json_schema", format.Member("schema")),
            "json_object" => new PromptFormat("json_object"),
            _ => PromptFormat.Text,
        };
    }
}
