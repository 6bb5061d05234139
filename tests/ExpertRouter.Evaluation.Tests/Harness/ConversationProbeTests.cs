using ExpertRouter.Core.Routing;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Evaluation.Harness;

namespace ExpertRouter.Evaluation.Tests.Harness;

public sealed class ConversationProbeTests
{
    private static RoutingRecord[] Answered(int count) =>
        [.. Fixtures.Records(count).Select(r => r with
        {
            Outcomes = r.Outcomes.ToDictionary(o => o.Key, o => o.Value with { Response = "answer to " + r.Id }),
        })];

    [Fact]
    public void Wrap_History_EndsWithTheTestPrompt_AfterTurnsTakenFromTrainingRecordsOnly()
    {
        var records = Answered(30);
        var (train, test) = (records[..20], records[20..]);

        var wrapped = new ConversationProbe { Turns = 3 }.Wrap(test, train, seed: 4);

        var trainPrompts = train.Select(r => r.Prompt).ToHashSet();
        for (var i = 0; i < test.Length; i++)
        {
            var conversation = wrapped[i].Conversation!;
            Assert.Equal(1 + 3 * 2 + 1, conversation.Count);
            Assert.Equal(ConversationRole.System, conversation.RoleAt(0));
            Assert.Equal(test[i].Prompt, conversation.TextAt(conversation.Count - 1));
            Assert.Equal(test[i].Prompt, wrapped[i].Prompt);
            for (var t = 1; t < conversation.Count - 1; t += 2)
            {
                Assert.Contains(conversation.TextAt(t), trainPrompts);
                Assert.StartsWith("answer to ", conversation.TextAt(t + 1));
            }
        }

        Assert.Equal(wrapped.Select(r => r.Conversation!.TextAt(1)), new ConversationProbe { Turns = 3 }.Wrap(test, train, seed: 4).Select(r => r.Conversation!.TextAt(1)));
    }

    [Fact]
    public void Wrap_History_OfRecordsLoadedWithoutResponses_AnswersEarlierTurnsWithTheirReference()
    {
        var records = Fixtures.Records(12).Select(r => r with
        {
            Reference = "reference of " + r.Id,
            Outcomes = r.Outcomes.ToDictionary(o => o.Key, o => o.Value with { Response = null }),
        }).ToArray();

        var wrapped = new ConversationProbe { Turns = 2 }.Wrap(records[..2], records[2..], seed: 8);

        Assert.All(wrapped, r =>
        {
            Assert.Equal(6, r.Conversation!.Count);
            Assert.StartsWith("reference of ", r.Conversation.TextAt(2));
            Assert.StartsWith("reference of ", r.Conversation.TextAt(4));
        });
    }

    [Fact]
    public void Wrap_FollowUp_StatesTheTaskFirst_AndEndsWithAnAnswerThatCarriesNone()
    {
        var records = Answered(5);

        var wrapped = new ConversationProbe { Shape = ConversationProbe.FollowUp }.Wrap(records, records, seed: 1);

        Assert.All(wrapped.Zip(records), pair =>
        {
            Assert.Equal(pair.Second.Prompt, pair.First.Conversation!.TextAt(1));
            Assert.Equal(ConversationProbe.FollowUpAnswer, pair.First.Conversation.TextAt(3));
            Assert.Same(pair.Second.Outcomes, pair.First.Outcomes);
        });
    }

    [Theory]
    [InlineData("history", "history:4")]
    [InlineData("history:2", "history:2")]
    [InlineData("follow-up", "follow-up")]
    public void Parse_KnownShapes_RoundTripTheirName(string text, string name) => Assert.Equal(name, ConversationProbe.Parse(text).Probe!.ToString());

    [Theory]
    [InlineData("history:0")]
    [InlineData("tools")]
    public void Parse_UnknownShapes_GiveTheReason(string text) => Assert.Contains("history:N", ConversationProbe.Parse(text).Error);
}
