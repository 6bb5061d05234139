using System.Text.Json;
using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.Protocols.Responses;

/// <summary>
/// Translates <c>input</c> (a string, or items: messages with input_text / input_image parts, function_call and
/// function_call_output) into chat messages. Reasoning items are dropped: a chat backend cannot take them back.
/// </summary>
internal sealed class ResponsesInputReader
{
    private const string SupportedItems = "'message', 'function_call', 'function_call_output' and 'reasoning'";

    // Made at the first function call or tool image: most inputs are messages only.
    private HashSet<string>? callIds;
    private List<ChatContentPart>? toolImages;

    public ChatMessageList Messages { get; } = new();

    /// <summary>Call ids answered by a function_call_output whose call is not among the input items.</summary>
    public List<string> CallIdsFromHistory { get; } = [];

    public int Characters { get; private set; }

    /// <summary>Reads the body's <c>input</c> member (<c>default</c> when absent).</summary>
    public ApiError? Read(JsonElement input)
    {
        if (!RequestFields.Present(input))
        {
            return RequestProblems.Missing("input");
        }

        if (input.ValueKind == JsonValueKind.String)
        {
            var text = input.GetString()!;
            if (text.Length == 0)
            {
                return RequestProblems.Empty("input");
            }

            Characters += text.Length;
            Messages.AddText("user", text);
            return null;
        }

        if (input.ValueKind != JsonValueKind.Array)
        {
            return RequestProblems.WrongType("input", "a string or an array of input items", input);
        }

        if (input.GetArrayLength() == 0)
        {
            return RequestProblems.Empty("input");
        }

        var index = 0;
        foreach (var item in input.EnumerateArray())
        {
            if (ReadItem(item, $"input[{index++}]") is { } error)
            {
                return error;
            }
        }

        FlushToolImages();
        return Messages.Count == 0 ? RequestProblems.Invalid("input", "holds no message, function_call or function_call_output item.") : null;
    }

    private ApiError? ReadItem(JsonElement item, string path)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return RequestProblems.WrongType(path, "an object", item);
        }

        var fields = new FieldReader();
        var type = fields.String(item, "type", path + ".type");
        if (fields.Error is { } error)
        {
            return error;
        }

        type ??= RequestFields.TryGet(item, "role", out _) ? "message" : null;
        if (type != "function_call_output")
        {
            FlushToolImages();
        }

        return type switch
        {
            "message" => ReadMessage(item, path),
            "function_call" => ReadFunctionCall(item, path),
            "function_call_output" => ReadFunctionCallOutput(item, path),
            "reasoning" => null,
            "item_reference" => RequestProblems.Unsupported(path + ".type", "item references need OpenAI's own storage; send the items themselves, or use previous_response_id."),
            null => RequestProblems.Missing(path + ".type"),
            _ => RequestProblems.Invalid(path + ".type", $"'{type}' is not a supported input item; supported are {SupportedItems}."),
        };
    }

    private ApiError? ReadMessage(JsonElement item, string path)
    {
        var fields = new FieldReader();
        var role = fields.RequiredString(item, "role", path + ".role");
        if (fields.Error is { } error)
        {
            return error;
        }

        if (role is not ("user" or "assistant" or "system" or "developer"))
        {
            return RequestProblems.Invalid(path + ".role", $"'{role}' is not one of 'user', 'assistant', 'system', 'developer'.");
        }

        if (!RequestFields.TryGet(item, "content", out var content))
        {
            return RequestProblems.Missing(path + ".content");
        }

        // Many chat backends know no "developer" role; OpenAI treats system messages as developer messages anyway.
        var chatRole = role == "developer" ? "system" : role;
        if (content.ValueKind == JsonValueKind.String)
        {
            var text = content.GetString()!;
            Characters += text.Length;
            if (role == "assistant")
            {
                Messages.AddAssistantText(text);
            }
            else
            {
                Messages.AddText(chatRole, text);
            }

            return null;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return RequestProblems.WrongType(path + ".content", "a string or an array of content parts", content);
        }

        if (content.GetArrayLength() == 0)
        {
            return RequestProblems.Empty(path + ".content");
        }

        var parts = new List<ChatContentPart>();
        var index = 0;
        foreach (var part in content.EnumerateArray())
        {
            if (ResponsesContentParts.Read(part, $"{path}.content[{index++}]", role, parts) is { } partError)
            {
                return partError;
            }
        }

        Characters += parts.Sum(part => part.Text?.Length ?? 0);
        if (role == "assistant")
        {
            Messages.AddAssistantText(string.Concat(parts.Select(part => part.Text)));
        }
        else
        {
            Messages.AddParts(chatRole, parts);
        }

        return null;
    }

    private ApiError? ReadFunctionCall(JsonElement item, string path)
    {
        var fields = new FieldReader();
        var callId = fields.RequiredString(item, "call_id", path + ".call_id");
        var name = fields.RequiredString(item, "name", path + ".name");
        var arguments = fields.RequiredString(item, "arguments", path + ".arguments");
        if (fields.Error is { } error)
        {
            return error;
        }

        (callIds ??= new HashSet<string>(StringComparer.Ordinal)).Add(callId);
        Characters += arguments.Length;
        Messages.AddToolCall(callId, name, arguments);
        return null;
    }

    private ApiError? ReadFunctionCallOutput(JsonElement item, string path)
    {
        var fields = new FieldReader();
        var callId = fields.RequiredString(item, "call_id", path + ".call_id");
        if (fields.Error is { } error)
        {
            return error;
        }

        if (!RequestFields.TryGet(item, "output", out var output))
        {
            return RequestProblems.Missing(path + ".output");
        }

        string text;
        if (output.ValueKind == JsonValueKind.String)
        {
            text = output.GetString()!;
        }
        else if (output.ValueKind == JsonValueKind.Array)
        {
            var parts = new List<ChatContentPart>();
            var index = 0;
            foreach (var part in output.EnumerateArray())
            {
                if (ResponsesContentParts.Read(part, $"{path}.output[{index++}]", "user", parts) is { } partError)
                {
                    return partError;
                }
            }

            text = string.Concat(parts.Where(part => part.ImageUrl is null).Select(part => part.Text));
            (toolImages ??= []).AddRange(parts.Where(part => part.ImageUrl is not null));
        }
        else
        {
            return RequestProblems.WrongType(path + ".output", "a string or an array of content parts", output);
        }

        if (callIds is null || !callIds.Contains(callId))
        {
            CallIdsFromHistory.Add(callId);
        }

        Characters += text.Length;
        Messages.AddToolResult(callId, text);
        return null;
    }

    /// <summary>
    /// Chat tool messages take text only, so the images tools returned follow as a user message, after the whole run
    /// of tool messages: chat wants every result right behind the assistant message that made the calls.
    /// </summary>
    private void FlushToolImages()
    {
        if (toolImages is { Count: > 0 })
        {
            Messages.AddParts("user", toolImages);
            toolImages.Clear();
        }
    }
}
