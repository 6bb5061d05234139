using System.Text;
using ExpertRouter.Core.Routing;

using ExpertRouter.Irt.Reading;

namespace ExpertRouter.Irt.Tests.Reading;

/// <summary>
/// <see cref="PromptReader"/> as it was before it read in place (2026-12-07), kept verbatim as the oracle: the
/// shipped routers were trained on the strings it joined, so what the reader now leaves in place (a message's head,
/// its tail, a head and a tail around a cut) must read as exactly these strings.
/// </summary>
internal sealed class ReferencePromptReader
{
    private readonly ReadingPolicy _policy;
    private readonly int _maxChars;

    /// <param name="maxChars">
    /// Most characters the encoder behind reads (the hashed featurizer's <c>maxChars</c>): each kept part is bounded by it
    /// (a head and a tail by half of it each), so the encoder's own cut never drops the tail a policy kept.
    /// </param>
    public ReferencePromptReader(ReadingPolicy policy, int maxChars = int.MaxValue)
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
    public string Read(IConversation conversation)
    {
        var parts = Select(conversation);
        if (parts.Count == 0)
        {
            return "";
        }

        if (_policy.MaxTokens is not { } tokens)
        {
            return parts.Count == 1 ? parts[0] : string.Join('\n', parts);
        }

        return _policy.Truncate switch
        {
            ReadingPolicy.Tail => Tail(parts, tokens, _maxChars),
            ReadingPolicy.HeadAndTail => HeadAndTail(parts, tokens),
            _ => Head(parts, tokens, _maxChars),
        };
    }

    /// <summary>The text of a prompt that is one user message, as training reads its records.</summary>
    public string Read(string prompt) => Read(new SingleUserMessage(prompt));

    private List<string> Select(IConversation conversation)
    {
        var parts = new List<string>();
        if (_policy.System)
        {
            for (var i = 0; i < conversation.Count; i++)
            {
                if (conversation.RoleAt(i) == ConversationRole.System)
                {
                    AddText(parts, conversation.TextAt(i));
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
                        AddText(parts, conversation.TextAt(i));
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
                        AddText(parts, conversation.TextAt(i));
                    }
                }

                break;
        }

        return parts;
    }

    private static void AddText(List<string> parts, string text)
    {
        if (text.Length > 0)
        {
            parts.Add(text);
        }
    }

    /// <summary>The first <paramref name="tokens"/> tokens, and at most <paramref name="maxChars"/> characters.</summary>
    private static string Head(List<string> parts, int tokens, int maxChars)
    {
        var text = new StringBuilder();
        var left = tokens;
        foreach (var part in parts)
        {
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

        return parts.Count == 1 && text.Length == parts[0].Length ? parts[0] : text.ToString();
    }

    /// <summary>The last <paramref name="tokens"/> tokens, and at most <paramref name="maxChars"/> characters.</summary>
    private static string Tail(List<string> parts, int tokens, int maxChars)
    {
        var kept = new List<string>();
        var left = tokens;
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
        return kept.Count == 1 ? kept[0] : string.Join('\n', kept);
    }

    /// <summary>
    /// The first half of the tokens and the last half, each within half the characters; the whole text when the two
    /// halves meet.
    /// </summary>
    private string HeadAndTail(List<string> parts, int tokens)
    {
        var headTokens = tokens / 2;
        var half = _maxChars / 2;
        var joined = parts.Count == 1 ? parts[0] : string.Join('\n', parts);
        var headLeft = headTokens;
        var headEnd = TokenText.EndOfFirst(joined.AsSpan(0, Math.Min(joined.Length, half)), ref headLeft);
        var tailLeft = tokens - headTokens;
        var from = Math.Max(headEnd, joined.Length - half);
        var tailStart = from + TokenText.StartOfLast(joined.AsSpan(from), ref tailLeft);
        // The halves meet: nothing between them was cut, and the text fits the encoder.
        if (TokenText.OnlySeparators(joined.AsSpan(headEnd, tailStart - headEnd)) && joined.Length <= _maxChars)
        {
            return joined;
        }

        return string.Concat(joined.AsSpan(0, headEnd), "\n", joined.AsSpan(tailStart));
    }
}
