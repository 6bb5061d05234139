using System.Buffers;
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
    public string LastUserText => _lastUser < 0 ? "" : _lastUserText ??= Decode(_messages[_lastUser]);

    public ConversationRole RoleAt(int index) => _messages[index].Role;

    public string TextAt(int index) => index == _lastUser ? LastUserText : Decode(_messages[index]);

    /// <summary>
    /// A long string message's two ends without building the whole (a 4,000-token prompt is a 30 KB string): it is
    /// unescaped into a pooled buffer and only the ends become a string. Content parts and short messages come whole.
    /// </summary>
    public BoundedText TextAt(int index, int headChars, int tailChars)
    {
        var message = _messages[index];
        var decoded = index == _lastUser ? _lastUserText : null;
        if (decoded is not null || (long)headChars + tailChars >= message.Length || !message.IsString)
        {
            var whole = decoded ?? TextAt(index);
            return new BoundedText(whole, whole.Length);
        }

        var buffer = ArrayPool<char>.Shared.Rent(message.Length);
        try
        {
            var length = EscapedJsonString.Unescape(message.Escaped, buffer);
            return new BoundedText(string.Concat(buffer.AsSpan(0, headChars), buffer.AsSpan(length - tailChars, tailChars)), length);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private static string Decode(Message message)
    {
        if (message.Content.IsEmpty)
        {
            return "";
        }

        if (message.IsString)
        {
            return string.Create(message.Length, message.Content, static (text, content) =>
                EscapedJsonString.Unescape(content.Span[1..^1], text));
        }

        using var parts = JsonDocument.Parse(message.Content);
        return OpenAIRequestParser.TextOf(parts.RootElement);
    }

    internal static ConversationRole RoleOf(JsonElement role) =>
        role.ValueEquals("user"u8) ? ConversationRole.User
        : role.ValueEquals("assistant"u8) ? ConversationRole.Assistant
        : role.ValueEquals("system"u8) || role.ValueEquals("developer"u8) ? ConversationRole.System
        : ConversationRole.Tool;

    /// <summary>
    /// A message's role, its content value's JSON (a slice of the body; empty: no content) and the UTF-16 length of
    /// its text, which the parser counted.
    /// </summary>
    internal readonly record struct Message(ConversationRole Role, ReadOnlyMemory<byte> Content, int Length)
    {
        /// <summary>The content is a JSON string (else an array of parts, or none).</summary>
        public bool IsString => !Content.IsEmpty && Content.Span[0] == (byte)'"';

        /// <summary>A string content's escaped bytes, between its quotes.</summary>
        public ReadOnlySpan<byte> Escaped => Content.Span[1..^1];
    }
}
