using System.Text.Json;

namespace ExpertRouter.Gateway.Protocols;

/// <summary>
/// Builds chat-completions <c>messages</c> from another protocol's turns. Tool calls join the assistant message
/// right before them (chat carries an answer's text and its calls in one message); a tool result becomes a
/// <c>tool</c> message. Content that is one text part is written as a plain string, which every backend accepts.
/// </summary>
internal sealed class ChatMessageList
{
    private readonly List<Draft> messages = [];

    public int Count => messages.Count;

    public void AddText(string role, string text) => messages.Add(new Draft(role) { Parts = { ChatContentPart.FromText(text) } });

    public void AddParts(string role, IEnumerable<ChatContentPart> parts)
    {
        var draft = new Draft(role);
        draft.Parts.AddRange(parts);
        messages.Add(draft);
    }

    public void AddAssistantText(string text) => messages.Add(new Draft("assistant") { Parts = { ChatContentPart.FromText(text) } });

    public void AddToolCall(string id, string name, string arguments)
    {
        if (messages.Count == 0 || messages[^1].Role != "assistant")
        {
            messages.Add(new Draft("assistant"));
        }

        (messages[^1].ToolCalls ??= []).Add((id, name, arguments));
    }

    public void AddToolResult(string toolCallId, string content) =>
        messages.Add(new Draft("tool") { ToolCallId = toolCallId, Parts = { ChatContentPart.FromText(content) } });

    /// <summary>The messages as the elements of a JSON array (no brackets), to splice into a larger body.</summary>
    public void WriteElements(Utf8JsonWriter json)
    {
        foreach (var message in messages)
        {
            Write(json, message);
        }
    }

    /// <summary>The messages as a JSON array (UTF-8).</summary>
    public byte[] ToJsonArray()
    {
        using var buffer = JsonBuffer.Rent(1024);
        var json = buffer.Json;
        json.WriteStartArray();
        WriteElements(json);
        json.WriteEndArray();

        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(Utf8JsonWriter json, Draft message)
    {
        json.WriteStartObject();
        json.WriteString("role", message.Role);
        if (message.ToolCallId is { } toolCallId)
        {
            json.WriteString("tool_call_id", toolCallId);
        }

        WriteContent(json, message);
        if (message.ToolCalls is { Count: > 0 } toolCalls)
        {
            json.WriteStartArray("tool_calls");
            foreach (var (id, name, arguments) in toolCalls)
            {
                json.WriteStartObject();
                json.WriteString("id", id);
                json.WriteString("type", "function");
                json.WriteStartObject("function");
                json.WriteString("name", name);
                json.WriteString("arguments", arguments);
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    private static void WriteContent(Utf8JsonWriter json, Draft message)
    {
        var parts = message.Parts;
        if (parts.Count == 0)
        {
            json.WriteNull("content");
            return;
        }

        if (parts.TrueForAll(part => part.ImageUrl is null) && (parts.Count == 1 || message.Role != "user"))
        {
            // Several text blocks of a system, assistant or tool turn read as paragraphs; glued together they would merge words.
            json.WriteString("content", parts.Count == 1 ? parts[0].Text ?? "" : string.Join('\n', parts.Select(part => part.Text)));
            return;
        }

        json.WriteStartArray("content");
        foreach (var part in parts)
        {
            part.WriteTo(json);
        }

        json.WriteEndArray();
    }

    private sealed class Draft(string role)
    {
        public string Role { get; } = role;

        public string? ToolCallId { get; init; }

        public List<ChatContentPart> Parts { get; } = [];

        /// <summary>Null until the message gets a call: most messages have none.</summary>
        public List<(string Id, string Name, string Arguments)>? ToolCalls { get; set; }
    }
}

/// <summary>One part of a chat message's content: text, or an image by URL (a <c>data:</c> URL for inline bytes).</summary>
internal sealed record ChatContentPart(string? Text, string? ImageUrl = null, string? Detail = null)
{
    public static ChatContentPart FromText(string text) => new(text);

    public static ChatContentPart FromImage(string url, string? detail) => new(null, url, detail);

    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        if (ImageUrl is null)
        {
            json.WriteString("type", "text");
            json.WriteString("text", Text);
        }
        else
        {
            json.WriteString("type", "image_url");
            json.WriteStartObject("image_url");
            json.WriteString("url", ImageUrl);
            if (Detail is not null)
            {
                json.WriteString("detail", Detail);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
    }
}
