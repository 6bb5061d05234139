using ExpertRouter.Core.Routing;
using ExpertRouter.Irt.Reading;

namespace ExpertRouter.Irt.Tests.Reading;

public sealed class PromptReaderTests
{
    private static ConversationMessages Chat => ReadingCases.Chat;

    [Fact]
    public void Read_DefaultPolicy_ReadsTheLastUserMessageWhole()
    {
        var reader = new PromptReader(ReadingPolicy.Default);

        Assert.Equal("second question", reader.Read(Chat));
        Assert.Equal("just a prompt", reader.Read("just a prompt"));
    }

    [Fact]
    public void Read_UserMessagesWithSystem_PutsTheSystemPromptFirst_ThenEveryUserTurnInOrder()
    {
        var reader = new PromptReader(new ReadingPolicy { Messages = ReadingPolicy.UserMessages, System = true });

        Assert.Equal("Be brief.\nfirst question\nsecond question", reader.Read(Chat));
    }

    [Fact]
    public void Read_AllMessages_ReadsAssistantAndToolTurns_ButNotTheSystemPromptUnlessAsked()
    {
        var reader = new PromptReader(new ReadingPolicy { Messages = ReadingPolicy.AllMessages });

        Assert.Equal("first question\nfirst answer\ntool result\nsecond question\nsecond answer", reader.Read(Chat));
    }

    [Fact]
    public void Read_ConversationWithoutUserMessage_ReadsNothing()
    {
        var reader = new PromptReader(ReadingPolicy.Default);

        Assert.Equal("", reader.Read(new ConversationMessages([(ConversationRole.System, "only instructions")])));
    }

    [Fact]
    public void Read_HeadTokens_KeepsTheFirstTokensAcrossMessages()
    {
        var reader = new PromptReader(new ReadingPolicy { Messages = ReadingPolicy.UserMessages, MaxTokens = 3 });

        Assert.Equal("first question\nsecond", reader.Read(Chat));
        Assert.Equal("one, two", new PromptReader(new ReadingPolicy { MaxTokens = 2 }).Read("one, two; three four"));
    }

    [Fact]
    public void Read_TailTokens_KeepsTheLastTokensAcrossMessages()
    {
        var reader = new PromptReader(new ReadingPolicy { Messages = ReadingPolicy.UserMessages, MaxTokens = 3, Truncate = ReadingPolicy.Tail });

        Assert.Equal("question\nsecond question", reader.Read(Chat));
    }

    [Fact]
    public void Read_HeadAndTail_KeepsBothEnds_AndTheWholeTextWhenTheyMeet()
    {
        var reader = new PromptReader(new ReadingPolicy { MaxTokens = 4, Truncate = ReadingPolicy.HeadAndTail });

        Assert.Equal("a b\ny z", reader.Read("a b c d e f y z"));
        Assert.Equal("a b c d", reader.Read("a b c d"));
    }

    [Fact]
    public void Read_TokenCutOfALongText_IsBoundedByTheEncodersCharacters()
    {
        var text = string.Join(' ', Enumerable.Range(0, 5000).Select(i => "w" + i));
        var reader = new PromptReader(new ReadingPolicy { MaxTokens = 256, Truncate = ReadingPolicy.HeadAndTail }, maxChars: 600);

        var read = reader.Read(text);

        Assert.True(read.Length <= 601, $"read {read.Length} characters");
        Assert.StartsWith("w0 w1 ", read);
        Assert.EndsWith("w4998 w4999", read);
    }

    [Fact]
    public void ReadInPlace_EveryPolicyAndBound_ReadsExactlyTheStringTheJoiningReaderGave()
    {
        var conversations = ReadingCases.Conversations();
        var cuts = 0;
        var uncut = 0;
        foreach (var maxChars in ReadingCases.ReaderMaxChars)
        {
            foreach (var policy in ReadingCases.Policies())
            {
                var reader = new PromptReader(policy, maxChars);
                var reference = new ReferencePromptReader(policy, maxChars);
                foreach (var conversation in conversations)
                {
                    var expected = reference.Read(conversation);
                    var inPlace = reader.ReadInPlace(conversation);

                    Assert.Equal(expected, inPlace.ToString());
                    Assert.Equal(expected.Length, inPlace.Length);
                    Assert.Equal(expected, reader.Read(conversation));
                    cuts += inPlace.IsCut ? 1 : 0;
                    uncut += !inPlace.IsCut && inPlace.Length > 0 ? 1 : 0;
                }
            }
        }

        // Both shapes of an in-place read were exercised.
        Assert.True(cuts > 1000, $"{cuts} head-and-tail cuts");
        Assert.True(uncut > 1000, $"{uncut} non-empty reads without a cut");
    }

    [Fact]
    public void ReadInPlace_FromTheEndsOfLongMessages_ReadsWhatTheWholeTextGave()
    {
        // A conversation over request bytes hands a long message's ends only; every policy and bound reads the same.
        var checkedReads = 0;
        foreach (var maxChars in ReadingCases.ReaderMaxChars)
        {
            foreach (var policy in ReadingCases.Policies())
            {
                var reader = new PromptReader(policy, maxChars);
                foreach (var conversation in ReadingCases.Conversations())
                {
                    var whole = reader.ReadInPlace(conversation);
                    var fromEnds = reader.ReadInPlace(new EndsOnlyConversation(conversation));

                    Assert.Equal(whole.ToString(), fromEnds.ToString());
                    Assert.Equal(whole.IsCut, fromEnds.IsCut);
                    Assert.Equal(whole.First.ToString(), fromEnds.First.ToString());
                    Assert.Equal(whole.Second.ToString(), fromEnds.Second.ToString());
                    checkedReads++;
                }
            }
        }

        Assert.True(checkedReads > 1000);
    }

    [Theory]
    [InlineData(ReadingPolicy.Head)]
    [InlineData(ReadingPolicy.Tail)]
    [InlineData(ReadingPolicy.HeadAndTail)]
    public void ReadInPlace_OneLongMessageCut_NeverAsksForTheWholeText(string truncate)
    {
        var words = string.Join(' ', Enumerable.Range(0, 3000).Select(i => $"word{i}"));
        var conversation = new EndsOnlyConversation(new SingleUserMessage(words)) { RefuseWholeText = true };
        var reader = new PromptReader(new ReadingPolicy { MaxTokens = 8, Truncate = truncate }, maxChars: 600);

        var read = reader.ReadInPlace(conversation).ToString();

        Assert.Equal(new PromptReader(reader.Policy, 600).Read(words), read);
    }

    /// <summary>Gives a long message's ends as <see cref="BoundedText"/>, as the gateway's conversation over the request's bytes does.</summary>
    private sealed class EndsOnlyConversation(IConversation inner) : IConversation
    {
        public bool RefuseWholeText { get; init; }

        public int Count => inner.Count;

        public ConversationRole RoleAt(int index) => inner.RoleAt(index);

        public string TextAt(int index) => RefuseWholeText ? throw new InvalidOperationException("the whole text was asked for") : inner.TextAt(index);

        public BoundedText TextAt(int index, int headChars, int tailChars)
        {
            var text = inner.TextAt(index);
            return (long)headChars + tailChars >= text.Length
                ? new BoundedText(text, text.Length)
                : new BoundedText(string.Concat(text.AsSpan(0, headChars), text.AsSpan(text.Length - tailChars)), text.Length);
        }
    }

    [Fact]
    public void ReadInPlace_OneMessageCut_LeavesTheMessageInPlace_HeadAndTailAroundTheCut()
    {
        var message = "alpha beta gamma delta epsilon zeta eta theta";
        var conversation = new SingleUserMessage(message);

        var both = new PromptReader(new ReadingPolicy { MaxTokens = 4, Truncate = ReadingPolicy.HeadAndTail }).ReadInPlace(conversation);
        var head = new PromptReader(new ReadingPolicy { MaxTokens = 2 }).ReadInPlace(conversation);
        var tail = new PromptReader(new ReadingPolicy { MaxTokens = 2, Truncate = ReadingPolicy.Tail }).ReadInPlace(conversation);
        var whole = new PromptReader(ReadingPolicy.Default).ReadInPlace(conversation);

        Assert.True(both.IsCut);
        Assert.Equal("alpha beta", both.First.ToString());
        Assert.Equal("eta theta", both.Second.ToString());
        Assert.Equal("alpha beta\neta theta", both.ToString());
        Assert.Equal("alpha beta", head.ToString());
        Assert.False(head.IsCut);
        Assert.Equal("eta theta", tail.First.ToString());
        Assert.True(tail.Second.IsEmpty);
        Assert.Same(message, whole.ToString());
    }

    [Fact]
    public void Policy_Validate_ListsEveryProblem()
    {
        var errors = new ReadingPolicy { Messages = "some", MaxTokens = 1, Truncate = "middle", MaxFeatures = 0 }.Validate();

        Assert.Equal(4, errors.Count);
        Assert.Throws<ArgumentException>(() => new PromptReader(new ReadingPolicy { MaxTokens = 0 }));
    }

    [Fact]
    public void Policy_ToString_NamesWhatIsRead()
    {
        var policy = new ReadingPolicy { Messages = ReadingPolicy.AllMessages, System = true, MaxTokens = 256, Truncate = ReadingPolicy.HeadAndTail, MaxFeatures = 1024 };

        Assert.Equal("all+system, head+tail 256 tokens, 1024 features", policy.ToString());
        Assert.True(ReadingPolicy.Default.IsDefault);
        Assert.False(policy.IsDefault);
    }
}
