using System.Text;
using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.Invocation;

namespace ExpertRouter.Gateway.Tests.Invocation;

public sealed class ChatAnswerTests
{
    private static readonly ExpertDefinition Expert = new() { Id = "chat" };

    [Fact]
    public void Parse_CountsSentAsStrings_IsAnAnswerWithEstimatedCounts()
    {
        // Before, TryGetInt32 threw on the quoted count and a readable answer became "unreadable response".
        var json = """{"choices":[{"message":{"role":"assistant","content":"Four."}}],"usage":{"prompt_tokens":"9","completion_tokens":2}}"""u8;

        var result = ChatAnswer.Parse(Expert, json, promptTokens: 12, TimeSpan.Zero);

        Assert.Equal((ExpertCallStatus.Ok, "Four.", 12, 2), (result.Status, result.Content, result.PromptTokens, result.CompletionTokens));
    }

    [Fact]
    public async Task EventSink_UsageSentAsStrings_KeepsStreamingAndCountsNothing()
    {
        var sink = new ChatEventSink((_, _) => ValueTask.CompletedTask);
        var events = "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n"
            + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":\"3\",\"completion_tokens\":\"1\"}}\n\n"
            + "data: [DONE]\n\n";

        await sink.WriteAsync(Encoding.UTF8.GetBytes(events), CancellationToken.None);

        Assert.Equal(("Hi", true, false), (sink.Text.ToString(), sink.Done, sink.ErrorEvent));
        Assert.Null(sink.Usage);
    }
}
