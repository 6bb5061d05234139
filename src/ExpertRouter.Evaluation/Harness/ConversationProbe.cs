using ExpertRouter.Core.Routing;
using ExpertRouter.Evaluation.Data;

namespace ExpertRouter.Evaluation.Harness;

/// <summary>
/// Turns each test prompt of a fold into a conversation, for measuring what a router should read of one. The recorded
/// data holds single prompts only, so the conversations are built, and what they can show is limited to their shape:
/// <list type="bullet">
/// <item><see cref="History"/>: the test prompt is the last user message, after a system prompt and earlier turns
/// that are other prompts of the fold's <em>training</em> records, each followed by an answer: a recorded response
/// when the data was loaded with them, else the record's reference answer (cross-validation loads no responses).
/// Shows what reading unrelated history costs a router; says nothing of history that bears on the last question.</item>
/// <item><see cref="FollowUp"/>: the test prompt is the first user message, an assistant asks a clarifying question
/// and the last user message only answers it. Shows what reading only the last message costs when the task was
/// stated earlier; the follow-up is one fixed text, so it carries no information at all.</item>
/// </list>
/// Outcomes and costs stay those of the original prompt: the probe moves only what a router sees.
/// </summary>
public sealed record ConversationProbe
{
    public const string History = "history";
    public const string FollowUp = "follow-up";

    public const string SystemPrompt = "You are a helpful assistant. Answer carefully and show your reasoning when it helps.";
    public const string ClarifyingQuestion = "I can help with that. Do you want only the final answer, or the reasoning that leads to it as well?";
    public const string FollowUpAnswer = "Both, please: show your reasoning first, then give the final answer.";

    /// <summary>Longest recorded answer kept as an earlier assistant turn, in characters.</summary>
    public const int AnswerChars = 1200;

    public string Shape { get; init; } = History;

    /// <summary>Earlier user turns before the test prompt (<see cref="History"/> only).</summary>
    public int Turns { get; init; } = 4;

    /// <summary><c>history</c>, <c>history:N</c> (N earlier turns) or <c>follow-up</c>.</summary>
    public static (ConversationProbe? Probe, string? Error) Parse(string text)
    {
        var parts = text.Split(':', 2, StringSplitOptions.TrimEntries);
        var probe = parts[0] switch
        {
            History when parts.Length == 1 => new ConversationProbe(),
            History when int.TryParse(parts[1], out var turns) && turns >= 1 => new ConversationProbe { Turns = turns },
            FollowUp when parts.Length == 1 => new ConversationProbe { Shape = FollowUp },
            _ => null,
        };
        return probe is null ? (null, $"conversation probe '{text}': use {History}, {History}:N (N ≥ 1 earlier turns) or {FollowUp}.") : (probe, null);
    }

    public override string ToString() => Shape == History ? $"{History}:{Turns}" : Shape;

    /// <summary>The test records as conversations; earlier turns come from <paramref name="train"/> only, chosen by a stable hash of the seed and the record's id.</summary>
    public IReadOnlyList<RoutingRecord> Wrap(IReadOnlyList<RoutingRecord> test, IReadOnlyList<RoutingRecord> train, int seed)
    {
        var earlier = train as RoutingRecord[] ?? [.. train];
        return [.. test.Select(record => Shape == FollowUp ? AsFollowUp(record) : AsHistory(record, earlier, seed))];
    }

    private static RoutingRecord AsFollowUp(RoutingRecord record)
    {
        var messages = new List<(ConversationRole, string)>
        {
            (ConversationRole.System, SystemPrompt),
            (ConversationRole.User, record.Prompt),
            (ConversationRole.Assistant, ClarifyingQuestion),
            (ConversationRole.User, FollowUpAnswer),
        };
        return record with { Prompt = FollowUpAnswer, Conversation = new ConversationMessages(messages) };
    }

    private RoutingRecord AsHistory(RoutingRecord record, IReadOnlyList<RoutingRecord> train, int seed)
    {
        var random = new Random(StableHash($"{seed}\u0001{record.Id}"));
        var messages = new List<(ConversationRole, string)> { (ConversationRole.System, SystemPrompt) };
        for (var t = 0; t < Turns && train.Count > 0; t++)
        {
            var earlier = train[random.Next(train.Count)];
            var responses = earlier.Outcomes.Values.Where(o => !string.IsNullOrEmpty(o.Response)).ToArray();
            var answer = responses.Length > 0 ? responses[random.Next(responses.Length)].Response! : earlier.Reference ?? "";
            messages.Add((ConversationRole.User, earlier.Prompt));
            messages.Add((ConversationRole.Assistant, answer.Length <= AnswerChars ? answer : answer[..AnswerChars]));
        }

        messages.Add((ConversationRole.User, record.Prompt));
        return record with { Conversation = new ConversationMessages(messages) };
    }

    /// <summary>FNV-1a of the text: string.GetHashCode differs between processes, and the probe must not.</summary>
    private static int StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash & int.MaxValue);
    }
}
