using System.Text;
using System.Text.Json;
using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.Protocols.Responses;

/// <summary>
/// Translates <c>tools</c> (function tools only: a gateway cannot run OpenAI's hosted tools), <c>tool_choice</c>,
/// <c>parallel_tool_calls</c> and <c>text.format</c> into chat options, and keeps their echo for the response.
/// </summary>
internal static class ResponsesToolReader
{
    public static ApiError? Read(in ResponsesRootMembers root, Utf8JsonWriter chat, ref ResponsesEcho echo)
    {
        var fields = new FieldReader();
        var tools = fields.OfKind(root.Tools, "tools", JsonValueKind.Array);
        var parallel = fields.Boolean(root.ParallelToolCalls, "parallel_tool_calls");
        if (fields.Error is { } error)
        {
            return error;
        }

        var names = new List<string>();
        string? toolsJson = null;
        if (tools.ValueKind == JsonValueKind.Array && tools.GetArrayLength() > 0)
        {
            using var echoTools = JsonBuffer.Rent(1024);
            var toolsEcho = echoTools.Json;
            toolsEcho.WriteStartArray();
            chat.WriteStartArray("tools");
            var index = 0;
            foreach (var tool in tools.EnumerateArray())
            {
                if (ReadTool(tool, $"tools[{index++}]", chat, toolsEcho, names) is { } toolError)
                {
                    return toolError;
                }
            }

            chat.WriteEndArray();
            if (parallel is { } allowed)
            {
                chat.WriteBoolean("parallel_tool_calls", allowed);
            }

            toolsEcho.WriteEndArray();
            toolsJson = Encoding.UTF8.GetString(echoTools.WrittenSpan);
        }

        var (choiceJson, choiceError) = ReadToolChoice(root.ToolChoice, chat, names);
        if (choiceError is not null)
        {
            return choiceError;
        }

        var (textJson, textError) = ReadTextFormat(root.Text, chat);
        if (textError is not null)
        {
            return textError;
        }

        // Most requests have none of these: their echo keeps its defaults, and no copy of it is made.
        if (toolsJson is not null || choiceJson is not null || parallel is not null || textJson is not null)
        {
            echo = echo with
            {
                ToolsJson = toolsJson ?? echo.ToolsJson,
                ToolChoiceJson = choiceJson ?? echo.ToolChoiceJson,
                ParallelToolCalls = parallel ?? true,
                TextJson = textJson ?? echo.TextJson,
            };
        }

        return null;
    }

    private static ApiError? ReadTool(JsonElement tool, string path, Utf8JsonWriter chat, Utf8JsonWriter echo, List<string> names)
    {
        if (tool.ValueKind != JsonValueKind.Object)
        {
            return RequestProblems.WrongType(path, "an object", tool);
        }

        var fields = new FieldReader();
        var type = fields.RequiredString(tool, "type", path + ".type");
        if (fields.Error is null && type != "function")
        {
            fields.Fail(RequestProblems.Unsupported(path + ".type", $"'{type}' tools are hosted by OpenAI and not available through this gateway; only 'function' tools are."));
        }

        var name = fields.RequiredString(tool, "name", path + ".name");
        var description = fields.String(tool, "description", path + ".description");
        var parameters = fields.OfKind(tool, "parameters", path + ".parameters", JsonValueKind.Object);
        var strict = fields.Boolean(tool, "strict", path + ".strict");
        if (fields.Error is { } error)
        {
            return error;
        }

        names.Add(name);
        chat.WriteStartObject();
        chat.WriteString("type", "function");
        chat.WriteStartObject("function");
        chat.WriteString("name", name);
        if (description is not null)
        {
            chat.WriteString("description", description);
        }

        if (parameters.ValueKind == JsonValueKind.Object)
        {
            chat.WritePropertyName("parameters");
            parameters.WriteTo(chat);
        }

        if (strict is { } isStrict)
        {
            chat.WriteBoolean("strict", isStrict);
        }

        chat.WriteEndObject();
        chat.WriteEndObject();

        echo.WriteStartObject();
        echo.WriteString("type", "function");
        echo.WriteString("name", name);
        echo.WriteString("description", description);
        echo.WritePropertyName("parameters");
        if (parameters.ValueKind == JsonValueKind.Object)
        {
            parameters.WriteTo(echo);
        }
        else
        {
            echo.WriteNullValue();
        }

        echo.WritePropertyName("strict");
        if (strict is { } echoedStrict)
        {
            echo.WriteBooleanValue(echoedStrict);
        }
        else
        {
            echo.WriteNullValue();
        }

        echo.WriteEndObject();
        return null;
    }

    private static (string? Echo, ApiError? Error) ReadToolChoice(JsonElement choice, Utf8JsonWriter chat, List<string> names)
    {
        if (!RequestFields.Present(choice))
        {
            return (null, null);
        }

        string? named = null;
        if (choice.ValueKind == JsonValueKind.String)
        {
            if (choice.GetString() is not ("none" or "auto" or "required"))
            {
                return (null, RequestProblems.Invalid("tool_choice", "must be one of 'none', 'auto', 'required', or {\"type\":\"function\",\"name\":...}."));
            }
        }
        else if (choice.ValueKind == JsonValueKind.Object)
        {
            var fields = new FieldReader();
            var type = fields.RequiredString(choice, "type", "tool_choice.type");
            if (fields.Error is null && type != "function")
            {
                fields.Fail(RequestProblems.Unsupported("tool_choice.type", $"'{type}': only 'function' tool choices are available through this gateway."));
            }

            var name = fields.RequiredString(choice, "name", "tool_choice.name");
            if (fields.Error is null && !names.Contains(name))
            {
                fields.Fail(RequestProblems.Invalid("tool_choice.name", $"'{name}' is not among the function tools."));
            }

            if (fields.Error is { } error)
            {
                return (null, error);
            }

            named = name;
        }
        else
        {
            return (null, RequestProblems.WrongType("tool_choice", "a string or an object", choice));
        }

        if (names.Count > 0)
        {
            if (named is null)
            {
                chat.WriteString("tool_choice", choice.GetString());
            }
            else
            {
                chat.WriteStartObject("tool_choice");
                chat.WriteString("type", "function");
                chat.WriteStartObject("function");
                chat.WriteString("name", named);
                chat.WriteEndObject();
                chat.WriteEndObject();
            }
        }

        return (choice.GetRawText(), null);
    }

    private static (string? Echo, ApiError? Error) ReadTextFormat(JsonElement textMember, Utf8JsonWriter chat)
    {
        var fields = new FieldReader();
        var text = fields.OfKind(textMember, "text", JsonValueKind.Object);
        var format = fields.OfKind(text, "format", "text.format", JsonValueKind.Object);
        if (fields.Error is not null || format.ValueKind != JsonValueKind.Object)
        {
            return (fields.Error is null && text.ValueKind == JsonValueKind.Object ? text.GetRawText() : null, fields.Error);
        }

        var type = fields.RequiredString(format, "type", "text.format.type");
        var error = fields.Error;
        switch (error is null ? type : null)
        {
            case "text":
                break;
            case "json_object":
                chat.WriteStartObject("response_format");
                chat.WriteString("type", "json_object");
                chat.WriteEndObject();
                break;
            case "json_schema":
                error = WriteJsonSchema(format, chat);
                break;
            case null:
                break;
            default:
                error = RequestProblems.Invalid("text.format.type", $"'{type}' is not one of 'text', 'json_object', 'json_schema'.");
                break;
        }

        return error is null ? (text.GetRawText(), null) : (null, error);
    }

    private static ApiError? WriteJsonSchema(JsonElement format, Utf8JsonWriter chat)
    {
        var fields = new FieldReader();
        var name = fields.RequiredString(format, "name", "text.format.name");
        var schema = fields.OfKind(format, "schema", "text.format.schema", JsonValueKind.Object);
        var description = fields.String(format, "description", "text.format.description");
        var strict = fields.Boolean(format, "strict", "text.format.strict");
        if (fields.Error is { } error)
        {
            return error;
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            return RequestProblems.Missing("text.format.schema");
        }

        chat.WriteStartObject("response_format");
        chat.WriteString("type", "json_schema");
        chat.WriteStartObject("json_schema");
        chat.WriteString("name", name);
        if (description is not null)
        {
            chat.WriteString("description", description);
        }

        chat.WritePropertyName("schema");
        schema.WriteTo(chat);
        if (strict is { } isStrict)
        {
            chat.WriteBoolean("strict", isStrict);
        }

        chat.WriteEndObject();
        chat.WriteEndObject();
        return null;
    }
}
