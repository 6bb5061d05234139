using System.Text.Json;
using ExpertRouter.Core.Routing;

namespace ExpertRouter.Gateway.OpenAI;

/// <summary>
/// A chat request's messages as a router reads them, over the request's own bytes: the parser records each message's
/// role and where its content lies while it validates the body, and a message's text is decoded only when a router's
/// reading policy asks for it, so a router that reads the last user message (already decoded as the prompt) never
/// decodes the rest of a long conversation.
/// </summary>
public sealed class BodyConversation : IConversation
{
    private readonly Message[] _messages;
    private readonly int _lastUser;
    private readonly string _lastUserText;

    internal BodyConversation(Message[] messages, int lastUser, string lastUserText)
    {
        _messages = messages;
        _lastUser = lastUser;
        _lastUserText = lastUserText;
    }

    public int Count => _messages.Length;

    public ConversationRole RoleAt(int index) => _messages[index].Role;

    public string TextAt(int index)
    {
        if (index == _lastUser)
        {
            return _lastUserText;
        }

        var message = _messages[index];
        if (message.Content.IsEmpty)
        {
            return "";
        }

        using var content = JsonDocument.Parse(message.Content);
        return OpenAIRequestParser.TextOf(content.RootElement);
    }

    internal static ConversationRole RoleOf(JsonElement role) =>
        role.ValueEquals("user"u8) ? ConversationRole.User
        : role.ValueEquals("assistant"u8) ? ConversationRole.Assistant
        : role.ValueEquals("system"u8) || role.ValueEquals("developer"u8) ? ConversationRole.System
        : ConversationRole.Tool;

    /// <summary>A message's role and its content value's JSON, a slice of the body (empty: no content).</summary>
    internal readonly record struct Message(ConversationRole Role, ReadOnlyMemory<byte> Content);
}
