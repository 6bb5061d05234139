using System.Text.Json;
using ExpertRouter.Core.Routing;

namespace ExpertRouter.Gateway.OpenAI;

/// <summary>
/// A chat request's messages as a router reads them, over the request's own bytes: the parser records each message's
/// role and where its content lies while it validates the body, and a message's text is decoded only when asked for:
/// a request forwarded to the expert it names never decodes its prompt, and a router that reads the last user message
/// never decodes the rest of a long conversation.
/// </summary>
/// <remarks>
/// The body is the request's own array, kept for the request's life and after it by whoever holds the request (the
/// request log, exploration), so decoding later reads the same bytes. The parser has already refused what would not
/// decode (invalid UTF-8, an escaped lone surrogate).
/// </remarks>
public sealed class BodyConversation : IConversation
{
    private readonly Message[] _messages;
    private readonly int _lastUser;
    private string? _lastUserText;

    internal BodyConversation(Message[] messages, int lastUser)
    {
        _messages = messages;
        _lastUser = lastUser;
    }

    public int Count => _messages.Length;

    /// <summary>The last user message's text (the prompt), decoded once on first use; "" without a user message.</summary>
    public string LastUserText => _lastUser < 0 ? "" : _lastUserText ??= Decode(_messages[_lastUser].Content);

    public ConversationRole RoleAt(int index) => _messages[index].Role;

    public string TextAt(int index) => index == _lastUser ? LastUserText : Decode(_messages[index].Content);

    private static string Decode(ReadOnlyMemory<byte> content)
    {
        if (content.IsEmpty)
        {
            return "";
        }

        if (content.Span[0] == (byte)'"')
        {
            var reader = new Utf8JsonReader(content.Span);
            reader.Read();
            return reader.GetString()!;
        }

        using var parts = JsonDocument.Parse(content);
        return OpenAIRequestParser.TextOf(parts.RootElement);
    }

    internal static ConversationRole RoleOf(JsonElement role) =>
        role.ValueEquals("user"u8) ? ConversationRole.User
        : role.ValueEquals("assistant"u8) ? ConversationRole.Assistant
        : role.ValueEquals("system"u8) || role.ValueEquals("developer"u8) ? ConversationRole.System
        : ConversationRole.Tool;

    /// <summary>A message's role and its content value's JSON, a slice of the body (empty: no content).</summary>
    internal readonly record struct Message(ConversationRole Role, ReadOnlyMemory<byte> Content);
}
