namespace ExpertRouter.Core.Routing;

/// <summary>Who wrote a message of a conversation, as far as a router cares.</summary>
public enum ConversationRole
{
    /// <summary>A system or developer message: instructions for the assistant.</summary>
    System,

    User,

    Assistant,

    /// <summary>A tool or function result.</summary>
    Tool,
}

/// <summary>
/// The messages of a chat request, in order, as a router may read them. Text is read on demand, so a router that
/// reads only the last user message never pays for the rest of a long conversation; only text parts count (images,
/// audio and files have none).
/// </summary>
public interface IConversation
{
    int Count { get; }

    ConversationRole RoleAt(int index);

    /// <summary>The message's text: its string content, or its text parts joined by new lines; "" when it has none.</summary>
    string TextAt(int index);

    /// <summary>
    /// What a reader that keeps at most <paramref name="headChars"/> characters from the start of the message and
    /// <paramref name="tailChars"/> from its end needs: the whole text when it is no longer than the two, else those
    /// two ends as one string, its <see cref="BoundedText.Length"/> telling how long the whole was. A conversation over
    /// the request's bytes builds only the two ends of a long message; one that holds strings gives them whole.
    /// </summary>
    BoundedText TextAt(int index, int headChars, int tailChars)
    {
        var text = TextAt(index);
        return new BoundedText(text, text.Length);
    }
}

/// <summary>
/// A message's text, or, when <see cref="Text"/> is shorter than <see cref="Length"/>, its first and last characters
/// with the middle left out (see <see cref="IConversation.TextAt(int, int, int)"/>).
/// </summary>
public readonly record struct BoundedText(string Text, int Length)
{
    public bool IsWhole => Text.Length == Length;
}

/// <summary>A conversation of one user message: what a router reads when a request is only a prompt.</summary>
public sealed class SingleUserMessage(string text) : IConversation
{
    public int Count => 1;

    public ConversationRole RoleAt(int index) => index == 0 ? ConversationRole.User : throw new ArgumentOutOfRangeException(nameof(index));

    public string TextAt(int index) => index == 0 ? text : throw new ArgumentOutOfRangeException(nameof(index));
}

/// <summary>Messages already held as strings (offline evaluation, tests, translated protocols).</summary>
public sealed class ConversationMessages(IReadOnlyList<(ConversationRole Role, string Text)> messages) : IConversation
{
    public int Count => messages.Count;

    public ConversationRole RoleAt(int index) => messages[index].Role;

    public string TextAt(int index) => messages[index].Text;
}
