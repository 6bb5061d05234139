using System.Text.Json;
using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.Protocols.Messages;

/// <summary>
/// Translates Anthropic <c>messages</c> into chat messages. A user turn's <c>tool_result</c> blocks become tool
/// messages (first, as chat wants them right behind the assistant's calls), the rest of it a user message; an
/// assistant turn's <c>tool_use</c> blocks become its tool calls. Thinking blocks are dropped: chat cannot take them.
/// Like Anthropic, it refuses results without a matching call and calls left without results.
/// </summary>
internal sealed class AnthropicMessageReader(ChatMessageList messages, ToolNameMap toolNames)
{
    private readonly HashSet<string> openToolUses = new(StringComparer.Ordinal);

    public int Characters { get; private set; }

    public ApiError? Read(JsonElement list)
    {
        var index = 0;
        foreach (var message in list.EnumerateArray())
        {
            // The member paths are made for errors only: a long history would otherwise cost strings for every turn.
            var at = index++;
            if (message.ValueKind != JsonValueKind.Object)
            {
                return RequestProblems.WrongType(Path(at), "an object", message);
            }

            var role = RequestFields.Get(message, "role");
            var content = RequestFields.Get(message, "content");
            var known = role.ValueKind == JsonValueKind.String && (role.ValueEquals("user"u8) || role.ValueEquals("assistant"u8));
            if (!known || !RequestFields.Present(content))
            {
                var path = Path(at);
                var fields = new FieldReader();
                var name = fields.RequiredString(role, path + ".role");
                if (fields.Error is null && name is not ("user" or "assistant"))
                {
                    fields.Fail(RequestProblems.Invalid(path + ".role", $"'{name}' is not 'user' or 'assistant' (a system prompt goes in the top-level 'system')."));
                }

                // A known role leaves the content as what is wrong.
                return fields.Error ?? RequestProblems.Missing(path + ".content");
            }

            var user = role.ValueEquals("user"u8);
            if (!user && openToolUses.Count > 0)
            {
                return MissingResults(Path(at));
            }

            var error = user ? ReadUser(content, at) : ReadAssistant(content, at);
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    private static string Path(int message) => $"messages.{message}";

    private static string ContentPath(int message) => $"messages.{message}.content";

    /// <summary>A turn that follows an assistant's tool calls must be the user's results for each of them.</summary>
    private ApiError? MissingResults(string path) => openToolUses.Count > 0
        ? RequestProblems.Invalid(path, $"tool_use ids were found without tool_result blocks immediately after: {string.Join(", ", openToolUses)}. Each tool_use block must have a corresponding tool_result block in the next message.")
        : null;

    private ApiError? ReadUser(JsonElement content, int message)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            if (openToolUses.Count > 0 && MissingResults(ContentPath(message)) is { } missing)
            {
                return missing;
            }

            var text = content.GetString()!;
            Characters += text.Length;
            messages.AddText("user", text);
            return null;
        }

        var path = ContentPath(message);
        if (ContentArray(content, path) is { } shapeError)
        {
            return shapeError;
        }

        var parts = new List<ChatContentPart>();
        var toolImages = new List<ChatContentPart>();
        var index = 0;
        foreach (var block in content.EnumerateArray())
        {
            var blockPath = $"{path}.{index++}";
            var fields = new FieldReader();
            var type = BlockType(block, blockPath, fields);
            var error = fields.Error ?? type switch
            {
                "text" => ReadText(block, blockPath, parts),
                "image" => AnthropicContentBlocks.ReadImage(block, blockPath, parts),
                "tool_result" => ReadToolResult(block, blockPath, toolImages),
                "document" or "search_result" => RequestProblems.Unsupported(blockPath + ".type", $"'{type}' blocks cannot be translated to chat completions; send text or images."),
                "tool_use" or "thinking" or "redacted_thinking" => RequestProblems.Invalid(blockPath + ".type", $"'{type}' blocks belong to assistant messages."),
                _ => RequestProblems.Invalid(blockPath + ".type", $"'{type}' is not one of 'text', 'image', 'tool_result'."),
            };
            if (error is not null)
            {
                return error;
            }
        }

        if (MissingResults(path) is { } unanswered)
        {
            return unanswered;
        }

        // Images a tool returned come first: they belong to the results right before them.
        toolImages.AddRange(parts);
        if (toolImages.Count > 0)
        {
            messages.AddParts("user", toolImages);
        }

        return null;
    }

    private ApiError? ReadAssistant(JsonElement content, int message)
    {
        openToolUses.Clear();
        if (content.ValueKind == JsonValueKind.String)
        {
            var text = content.GetString()!;
            Characters += text.Length;
            messages.AddAssistantText(text);
            return null;
        }

        var path = ContentPath(message);
        if (ContentArray(content, path) is { } shapeError)
        {
            return shapeError;
        }

        var texts = new List<ChatContentPart>();
        var calls = new List<(string Id, string Name, string Input)>();
        var index = 0;
        foreach (var block in content.EnumerateArray())
        {
            var blockPath = $"{path}.{index++}";
            var fields = new FieldReader();
            var type = BlockType(block, blockPath, fields);
            var error = fields.Error ?? type switch
            {
                "text" => ReadText(block, blockPath, texts),
                "tool_use" => ReadToolUse(block, blockPath, calls),
                "thinking" or "redacted_thinking" => null,
                "tool_result" or "image" => RequestProblems.Invalid(blockPath + ".type", $"'{type}' blocks belong to user messages."),
                _ => RequestProblems.Invalid(blockPath + ".type", $"'{type}' is not one of 'text', 'tool_use', 'thinking'."),
            };
            if (error is not null)
            {
                return error;
            }
        }

        if (texts.Count > 0)
        {
            messages.AddAssistantText(string.Concat(texts.Select(part => part.Text)));
        }

        foreach (var (id, name, input) in calls)
        {
            messages.AddToolCall(id, name, input);
            openToolUses.Add(id);
        }

        return null;
    }

    private static ApiError? ContentArray(JsonElement content, string path) => content.ValueKind switch
    {
        JsonValueKind.Array when content.GetArrayLength() == 0 => RequestProblems.Empty(path),
        JsonValueKind.Array => null,
        _ => RequestProblems.WrongType(path, "a string or an array of content blocks", content),
    };

    private static string BlockType(JsonElement block, string path, FieldReader fields)
    {
        if (block.ValueKind != JsonValueKind.Object)
        {
            fields.Fail(RequestProblems.WrongType(path, "an object", block));
            return "";
        }

        return fields.RequiredString(block, "type", path + ".type");
    }

    private ApiError? ReadText(JsonElement block, string path, List<ChatContentPart> parts)
    {
        var fields = new FieldReader();
        var text = fields.RequiredString(block, "text", path + ".text");
        Characters += text.Length;
        parts.Add(ChatContentPart.FromText(text));
        return fields.Error;
    }

    private ApiError? ReadToolUse(JsonElement block, string path, List<(string, string, string)> calls)
    {
        var fields = new FieldReader();
        var id = fields.RequiredString(block, "id", path + ".id");
        var name = fields.RequiredString(block, "name", path + ".name");
        var input = fields.OfKind(block, "input", path + ".input", JsonValueKind.Object);
        if (fields.Error is null && input.ValueKind != JsonValueKind.Object)
        {
            fields.Fail(RequestProblems.Missing(path + ".input"));
        }

        if (fields.Error is { } error)
        {
            return error;
        }

        var arguments = input.GetRawText();
        Characters += arguments.Length;
        calls.Add((id, toolNames.Add(name), arguments));
        return null;
    }

    private ApiError? ReadToolResult(JsonElement block, string path, List<ChatContentPart> toolImages)
    {
        var fields = new FieldReader();
        var id = fields.RequiredString(block, "tool_use_id", path + ".tool_use_id");
        fields.Boolean(block, "is_error", path + ".is_error");
        if (fields.Error is { } error)
        {
            return error;
        }

        if (!openToolUses.Remove(id))
        {
            return RequestProblems.Invalid(path + ".tool_use_id", $"unexpected tool_use_id found in tool_result blocks: {id}. Each tool_result block must have a corresponding tool_use block in the previous message.");
        }

        var (text, contentError) = AnthropicContentBlocks.ReadToolResultContent(block, path + ".content", toolImages);
        if (contentError is not null)
        {
            return contentError;
        }

        Characters += text.Length;
        messages.AddToolResult(id, text);
        return null;
    }
}
