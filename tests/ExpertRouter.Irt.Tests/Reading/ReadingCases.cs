using ExpertRouter.Core.Routing;
using ExpertRouter.Irt.Reading;

namespace ExpertRouter.Irt.Tests.Reading;

/// <summary>
/// Conversations and reading policies that between them take every branch of reading: empty and separator-only
/// messages, a short prompt, long prompts of hundreds and thousands of words, several turns of every role, words past
/// the featurizer's 64 characters, Unicode (surrogate pairs, case-changing letters) at the cut points, and random
/// text; every policy shape, and character bounds that cut inside a word, on a new line or not at all.
/// </summary>
internal static class ReadingCases
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789     .,;:!?-_'\"\n\tàéîõüßΣλЖж中文😀İ";

    /// <summary>A conversation with every role, whose reads the policy tests spell out.</summary>
    public static readonly ConversationMessages Chat = new(
    [
        (ConversationRole.System, "Be brief."),
        (ConversationRole.User, "first question"),
        (ConversationRole.Assistant, "first answer"),
        (ConversationRole.Tool, "tool result"),
        (ConversationRole.User, "second question"),
        (ConversationRole.Assistant, "second answer"),
    ]);

    public static readonly int[] ReaderMaxChars = [int.MaxValue, 6000, 41, 40, 7, 2];

    public static IReadOnlyList<IConversation> Conversations()
    {
        var random = new Random(20261207);
        var words = Enumerable.Range(0, 5000).Select(i => Word(random, i)).ToArray();
        string Words(int from, int count) => string.Join(' ', words.Skip(from).Take(count));

        string[] prompts =
        [
            "",
            "   ?!  \n ",
            "a",
            "Explain in two sentences why the sky is blue and why sunsets are red.",
            Words(0, 265),
            Words(100, 4000),
            Words(7, 130) + ".\n\n" + Words(900, 131),
            "ÄÖÜ straße İstanbul ΣΊΣΥΦΟΣ 日本語の文 emoji 😀 mixed😀text " + Words(40, 200) + " ΣΊΣΥΦΟΣ😀İ",
            string.Concat(Enumerable.Repeat("😀a", 3500)),
            new string('x', 200) + " " + Words(3, 70) + " " + new string('y', 64) + " " + Words(80, 70) + " " + new string('z', 65),
            "?" + new string(' ', 7000) + Words(0, 10),
            Words(0, 10) + new string('.', 7000),
            string.Join('\n', Enumerable.Range(0, 300).Select(i => words[i])),
        ];

        var conversations = new List<IConversation>();
        conversations.AddRange(prompts.Select(p => new SingleUserMessage(p)));
        conversations.Add(Chat);
        conversations.Add(new ConversationMessages(
        [
            (ConversationRole.System, Words(0, 90)),
            (ConversationRole.User, Words(200, 150)),
            (ConversationRole.Assistant, ""),
            (ConversationRole.User, ""),
            (ConversationRole.Tool, Words(400, 300)),
            (ConversationRole.User, Words(900, 40) + " 😀"),
        ]));
        conversations.Add(new ConversationMessages([(ConversationRole.System, "only instructions")]));
        conversations.Add(new ConversationMessages([(ConversationRole.Assistant, Words(5, 20)), (ConversationRole.User, "")]));

        ConversationRole[] roles = [ConversationRole.System, ConversationRole.User, ConversationRole.Assistant, ConversationRole.Tool];
        for (var c = 0; c < 40; c++)
        {
            var messages = Enumerable.Range(0, random.Next(1, 6))
                .Select(_ => (roles[random.Next(roles.Length)], RandomText(random, random.Next(0, 600))))
                .ToList();
            conversations.Add(new ConversationMessages(messages));
        }

        return conversations;
    }

    /// <summary>Every shape of policy, each with token counts that cut short and long texts at several places.</summary>
    public static IEnumerable<ReadingPolicy> Policies()
    {
        foreach (var messages in new[] { ReadingPolicy.LastUser, ReadingPolicy.UserMessages, ReadingPolicy.AllMessages })
        {
            foreach (var system in new[] { false, true })
            {
                yield return new ReadingPolicy { Messages = messages, System = system };
                foreach (var truncate in new[] { ReadingPolicy.Head, ReadingPolicy.Tail, ReadingPolicy.HeadAndTail })
                {
                    foreach (var tokens in new[] { 2, 3, 7, 16, 128 })
                    {
                        yield return new ReadingPolicy { Messages = messages, System = system, MaxTokens = tokens, Truncate = truncate };
                    }
                }
            }
        }
    }

    private static string Word(Random random, int index) => (index % 17) switch
    {
        0 => "ΣΊΣΥΦΟΣ",
        1 => "İstanbul",
        2 => "😀x" + index,
        3 => "x²+y²",
        _ => new string(Enumerable.Range(0, random.Next(1, 12)).Select(_ => (char)('a' + random.Next(26))).ToArray()),
    };

    private static string RandomText(Random random, int length) =>
        new(Enumerable.Range(0, length).Select(_ => Alphabet[random.Next(Alphabet.Length)]).ToArray());
}
