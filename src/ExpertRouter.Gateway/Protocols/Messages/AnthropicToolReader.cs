using System.Text.Json;
using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.Protocols.Messages;

/// <summary>
/// Translates <c>tools</c> (custom tools: name, description, input_schema; Anthropic's own server and client tools
/// cannot run behind a chat backend) and <c>tool_choice</c> (auto / any / tool / none) into chat options.
/// </summary>
internal static class AnthropicToolReader
{
    /// <summary>Reads the body's <c>tools</c> and <c>tool_choice</c> members (<c>default</c> when absent).</summary>
    public static ApiError? Read(JsonElement toolsMember, JsonElement choiceMember, Utf8JsonWriter chat, ToolNameMap toolNames)
    {
        var fields = new FieldReader();
        var tools = fields.OfKind(toolsMember, "tools", JsonValueKind.Array);
        var choice = fields.OfKind(choiceMember, "tool_choice", JsonValueKind.Object);
        if (fields.Error is { } error)
        {
            return error;
        }

        var names = new List<string>();
        if (tools.ValueKind == JsonValueKind.Array && tools.GetArrayLength() > 0)
        {
            chat.WriteStartArray("tools");
            var index = 0;
            foreach (var tool in tools.EnumerateArray())
            {
                if (ReadTool(tool, $"tools.{index++}", chat, toolNames, names) is { } toolError)
                {
                    return toolError;
                }
            }

            chat.WriteEndArray();
        }

        return choice.ValueKind == JsonValueKind.Object ? ReadChoice(choice, chat, toolNames, names) : null;
    }

    private static ApiError? ReadTool(JsonElement tool, string path, Utf8JsonWriter chat, ToolNameMap toolNames, List<string> names)
    {
        if (tool.ValueKind != JsonValueKind.Object)
        {
            return RequestProblems.WrongType(path, "an object", tool);
        }

        var fields = new FieldReader();
        var type = fields.String(tool, "type", path + ".type");
        if (fields.Error is null && type is not (null or "custom"))
        {
            fields.Fail(RequestProblems.Unsupported(path + ".type", $"'{type}' is one of Anthropic's own tools, which this gateway cannot run; define a custom tool with an input_schema."));
        }

        var name = fields.RequiredString(tool, "name", path + ".name");
        var description = fields.String(tool, "description", path + ".description");
        var schema = fields.OfKind(tool, "input_schema", path + ".input_schema", JsonValueKind.Object);
        if (fields.Error is null && schema.ValueKind != JsonValueKind.Object)
        {
            fields.Fail(RequestProblems.Missing(path + ".input_schema"));
        }

        if (fields.Error is { } error)
        {
            return error;
        }

        names.Add(name);
        chat.WriteStartObject();
        chat.WriteString("type", "function");
        chat.WriteStartObject("function");
        chat.WriteString("name", toolNames.Add(name));
        if (description is not null)
        {
            chat.WriteString("description", description);
        }

        chat.WritePropertyName("parameters");
        schema.WriteTo(chat);
        chat.WriteEndObject();
        chat.WriteEndObject();
        return null;
    }

    private static ApiError? ReadChoice(JsonElement choice, Utf8JsonWriter chat, ToolNameMap toolNames, List<string> names)
    {
        var fields = new FieldReader();
        var type = fields.RequiredString(choice, "type", "tool_choice.type");
        var serial = fields.Boolean(choice, "disable_parallel_tool_use", "tool_choice.disable_parallel_tool_use");
        var name = type == "tool" ? fields.RequiredString(choice, "name", "tool_choice.name") : null;
        if (fields.Error is { } error)
        {
            return error;
        }

        if (type is not ("auto" or "any" or "tool" or "none"))
        {
            return RequestProblems.Invalid("tool_choice.type", $"'{type}' is not one of 'auto', 'any', 'tool', 'none'.");
        }

        if (names.Count == 0)
        {
            // Chat refuses a tool_choice without tools; without tools "auto" and "none" mean nothing anyway.
            return type is "any" or "tool" ? RequestProblems.Invalid("tool_choice", $"'{type}' needs tools to choose from.") : null;
        }

        if (name is not null && !names.Contains(name))
        {
            return RequestProblems.Invalid("tool_choice.name", $"'{name}' is not among the tools.");
        }

        switch (type)
        {
            case "tool":
                chat.WriteStartObject("tool_choice");
                chat.WriteString("type", "function");
                chat.WriteStartObject("function");
                chat.WriteString("name", toolNames.ToExpert(name!));
                chat.WriteEndObject();
                chat.WriteEndObject();
                break;
            default:
                chat.WriteString("tool_choice", type switch { "any" => "required", var same => same });
                break;
        }

        if (serial == true && type != "none")
        {
            chat.WriteBoolean("parallel_tool_calls", false);
        }

        return null;
    }
}
