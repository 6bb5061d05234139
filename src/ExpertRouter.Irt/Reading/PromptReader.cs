using System.Text;
using ExpertRouter.Core.Routing;

namespace ExpertRouter.Irt.Reading;

/// <summary>
/// Applies a <see cref="ReadingPolicy"/> to a conversation: the text a router's encoder reads. The messages the policy
/// names are joined by new lines (system messages first), then cut to the policy's tokens, counted as the hashed
/// featurizer splits words, from the head, the tail or both. Only the messages read are decoded, and a cut walks only
/// as far as the tokens it keeps, so reading costs what the policy keeps, not what the request holds.
/// </summary>
public sealed class PromptReader
{
    private readonly ReadingPolicy _policy;
    private readonly int _maxChars;

    /// <param name="maxChars">
    /// Most characters the encoder behind reads (the hashed featurizer's <c>maxChars</c>): each kept part is bounded by it
    /// (a head and a tail by half of it each), so the encoder's own cut never drops the tail a policy kept.
    /// </param>
    public PromptReader(ReadingPolicy policy, int maxChars = int.MaxValue)
    {
        var errors = policy.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid reading policy: " + string.Join(" ", errors), nameof(policy));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxChars, 2);
        _policy = policy;
        _maxChars = maxChars;
    }

    public ReadingPolicy Policy => _policy;

    /// <summary>The text the policy reads from <paramref name="conversation"/>; "" when it selects nothing.</summary>
    public string Read(IConversation conversation) => ReadInPlace(conversation).ToString();

    /// <summary>The text of a prompt that is one user message, as training reads its records.</summary>
    public string Read(string prompt) => Read(new SingleUserMessage(prompt));

    /// <summary>
    /// As <see cref="Read(IConversation)"/>, without copying what a single message's cut keeps: its head, its tail, or
    /// its head and tail around the dropped middle are spans of the message. Messages read together are still joined
    /// into one string first.
    /// </summary>
    public ReadText ReadInPlace(IConversation conversation)
    {
        var selected = Select(conversation);
        if (selected.Count == 1 && _policy.MaxTokens is { } oneCut)
        {
            return ReadOne(conversation, selected[0], oneCut);
        }

        var parts = selected.Texts(conversation);
        if (parts.Count == 0)
        {
            return new ReadText("");
        }

        if (_policy.MaxTokens is not { } tokens)
        {
            return new ReadText(parts.Joined());
        }

        return _policy.Truncate switch
        {
            ReadingPolicy.Tail => Tail(parts, tokens, _maxChars),
            ReadingPolicy.HeadAndTail => HeadAndTail(parts, tokens),
            _ => Head(parts, tokens, _maxChars),
        };
    }

    /// <summary>
    /// One message cut to <paramref name="tokens"/>: only the characters the cut can reach are asked for (the first or
    /// last <c>maxChars</c>, or half of them at each end), so a long message is never built whole.
    /// </summary>
    private ReadText ReadOne(IConversation conversation, int index, int tokens)
    {
        var half = _maxChars / 2;
        var read = _policy.Truncate switch
        {
            ReadingPolicy.Tail => conversation.TextAt(index, 0, _maxChars),
            ReadingPolicy.HeadAndTail => conversation.TextAt(index, half, half),
            _ => conversation.TextAt(index, _maxChars, 0),
        };
        var parts = default(SelectedParts);
        parts.Add(read.Text);
        if (parts.Count == 0)
        {
            return new ReadText("");
        }

        return _policy.Truncate switch
        {
            // The last maxChars characters are all a tail reads, the first maxChars all a head reads.
            ReadingPolicy.Tail => Tail(parts, tokens, _maxChars),
            ReadingPolicy.HeadAndTail when read.IsWhole => HeadAndTail(parts, tokens),
            ReadingPolicy.HeadAndTail => EndsOfLongText(read.Text, half, tokens),
            _ => Head(parts, tokens, _maxChars),
        };
    }

    /// <summary>
    /// <see cref="HeadAndTail"/> of a text longer than <c>maxChars</c>, given as its first <paramref name="half"/>
    /// characters followed by its last <paramref name="half"/>: the two halves cannot meet, so it is always cut.
    /// </summary>
    private static ReadText EndsOfLongText(string ends, int half, int tokens)
    {
        var headLeft = tokens / 2;
        var headEnd = TokenText.EndOfFirst(ends.AsSpan(0, half), ref headLeft);
        var tailLeft = tokens - (tokens / 2);
        var tailStart = half + TokenText.StartOfLast(ends.AsSpan(half), ref tailLeft);
        return ReadText.Cut(ends, headEnd, tailStart);
    }

    /// <summary>The indices of the messages the policy reads, in reading order (system messages first).</summary>
    private SelectedMessages Select(IConversation conversation)
    {
        var selected = default(SelectedMessages);
        if (_policy.System)
        {
            for (var i = 0; i < conversation.Count; i++)
            {
                if (conversation.RoleAt(i) == ConversationRole.System)
                {
                    selected.Add(i);
                }
            }
        }

        switch (_policy.Messages)
        {
            case ReadingPolicy.LastUser:
                for (var i = conversation.Count - 1; i >= 0; i--)
                {
                    if (conversation.RoleAt(i) == ConversationRole.User)
                    {
                        selected.Add(i);
                        break;
                    }
                }

                break;
            default:
                var all = _policy.Messages == ReadingPolicy.AllMessages;
                for (var i = 0; i < conversation.Count; i++)
                {
                    var role = conversation.RoleAt(i);
                    if (role == ConversationRole.User || (all && role != ConversationRole.System))
                    {
                        selected.Add(i);
                    }
                }

                break;
        }

        return selected;
    }

    /// <summary>The first <paramref name="tokens"/> tokens, and at most <paramref name="maxChars"/> characters.</summary>
    private static ReadText Head(SelectedParts parts, int tokens, int maxChars)
    {
        var left = tokens;
        if (parts.Count == 1)
        {
            var only = parts[0];
            return ReadText.Slice(only, 0, TokenText.EndOfFirst(only.AsSpan(0, Math.Min(only.Length, maxChars)), ref left));
        }

        var text = new StringBuilder();
        for (var p = 0; p < parts.Count; p++)
        {
            var part = parts[p];
            if (text.Length > 0)
            {
                if (text.Length + 1 >= maxChars)
                {
                    break;
                }

                text.Append('\n');
            }

            var limit = Math.Min(part.Length, maxChars - text.Length);
            var end = TokenText.EndOfFirst(part.AsSpan(0, limit), ref left);
            text.Append(part, 0, end);
            if (left == 0 || end < part.Length)
            {
                break;
            }
        }

        return new ReadText(text.ToString());
    }

    /// <summary>The last <paramref name="tokens"/> tokens, and at most <paramref name="maxChars"/> characters.</summary>
    private static ReadText Tail(SelectedParts parts, int tokens, int maxChars)
    {
        var left = tokens;
        if (parts.Count == 1)
        {
            var only = parts[0];
            var from = Math.Max(0, only.Length - maxChars);
            var start = from + TokenText.StartOfLast(only.AsSpan(from), ref left);
            return ReadText.Slice(only, start, only.Length - start);
        }

        var kept = new List<string>();
        var chars = 0;
        for (var p = parts.Count - 1; p >= 0; p--)
        {
            var part = parts[p];
            if (kept.Count > 0)
            {
                if (chars + 1 >= maxChars)
                {
                    break;
                }

                chars++;
            }

            var from = Math.Max(0, part.Length - (maxChars - chars));
            var start = from + TokenText.StartOfLast(part.AsSpan(from), ref left);
            kept.Add(start == 0 ? part : part[start..]);
            chars += part.Length - start;
            if (left == 0 || start > 0)
            {
                break;
            }
        }

        kept.Reverse();
        return new ReadText(kept.Count == 1 ? kept[0] : string.Join('\n', kept));
    }

    /// <summary>
    /// The first half of the tokens and the last half, each within half the characters; the whole text when the two
    /// halves meet.
    /// </summary>
    private ReadText HeadAndTail(SelectedParts parts, int tokens)
    {
        var headTokens = tokens / 2;
        var half = _maxChars / 2;
        var joined = parts.Joined();
        var headLeft = headTokens;
        var headEnd = TokenText.EndOfFirst(joined.AsSpan(0, Math.Min(joined.Length, half)), ref headLeft);
        var tailLeft = tokens - headTokens;
        var from = Math.Max(headEnd, joined.Length - half);
        var tailStart = from + TokenText.StartOfLast(joined.AsSpan(from), ref tailLeft);
        // The halves meet: nothing between them was cut, and the text fits the encoder.
        if (TokenText.OnlySeparators(joined.AsSpan(headEnd, tailStart - headEnd)) && joined.Length <= _maxChars)
        {
            return new ReadText(joined);
        }

        return ReadText.Cut(joined, headEnd, tailStart);
    }

    /// <summary>The messages selected, by index; the usual policy selects one, held without a list.</summary>
    private struct SelectedMessages
    {
        private int _first;
        private List<int>? _more;

        public int Count { readonly get; private set; }

        public readonly int this[int index] => index == 0 ? _first : _more![index - 1];

        public void Add(int message)
        {
            if (Count++ == 0)
            {
                _first = message;
            }
            else
            {
                (_more ??= []).Add(message);
            }
        }

        /// <summary>The selected messages' texts, whole, the empty ones left out.</summary>
        public readonly SelectedParts Texts(IConversation conversation)
        {
            var parts = default(SelectedParts);
            for (var i = 0; i < Count; i++)
            {
                parts.Add(conversation.TextAt(this[i]));
            }

            return parts;
        }
    }

    /// <summary>
    /// The non-empty texts selected, in reading order. The usual policy selects one message, which is held without a
    /// list: reading it allocates nothing.
    /// </summary>
    private struct SelectedParts
    {
        private string? _first;
        private List<string>? _more;

        public readonly int Count => _first is null ? 0 : 1 + (_more?.Count ?? 0);

        public readonly string this[int index] => index == 0 ? _first! : _more![index - 1];

        public void Add(string text)
        {
            if (text.Length == 0)
            {
                return;
            }

            if (_first is null)
            {
                _first = text;
            }
            else
            {
                (_more ??= []).Add(text);
            }
        }

        /// <summary>The parts joined by new lines; the one part itself when there is one.</summary>
        public readonly string Joined() => _more is null ? _first ?? "" : string.Join('\n', _more.Prepend(_first!));
    }
}
