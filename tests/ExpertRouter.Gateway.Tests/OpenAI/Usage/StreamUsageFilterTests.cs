using System.Text;
using ExpertRouter.Gateway.OpenAI.Usage;

namespace ExpertRouter.Gateway.Tests.OpenAI.Usage;

public sealed class StreamUsageFilterTests
{
    private const string Stream =
        "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}],\"usage\":null}\n\n"
        + "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n"
        + "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":34,\"total_tokens\":46}}\n\n"
        + "data: [DONE]\n\n";

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task Write_ClientDidNotAsk_HidesUsageChunkAndNullFieldsAtAnyChunking(int chunkSize)
    {
        var (text, usage) = await RunAsync(hideUsage: true, chunkSize);

        Assert.Equal(new UsageReport(12, 34), usage);
        Assert.DoesNotContain("usage", text);
        Assert.Equal(Stream.Replace(",\"usage\":null", "").Replace("data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":34,\"total_tokens\":46}}\n\n", ""), text);
    }

    [Fact]
    public async Task Write_ClientAsked_RelaysEveryByteAndReadsUsage()
    {
        var (text, usage) = await RunAsync(hideUsage: false, chunkSize: 5);

        Assert.Equal(Stream, text);
        Assert.Equal(new UsageReport(12, 34), usage);
    }

    [Fact]
    public async Task Write_ContentMentioningUsage_IsNotMistakenForUsage()
    {
        var inner = new MemoryStream();
        var filter = new StreamUsageFilter(inner, hideUsage: true);
        var sse = "data: {\"choices\":[{\"delta\":{\"content\":\"the \\\"usage\\\":{ field\"}}]}\n\n";

        await filter.WriteAsync(Encoding.UTF8.GetBytes(sse));
        await filter.CompleteAsync(CancellationToken.None);

        Assert.Null(filter.Usage);
        Assert.Equal(sse, Encoding.UTF8.GetString(inner.ToArray()));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4096)]
    public async Task Write_PassedThroughResponsesStream_RelaysEveryByteAndReadsResponseCompleted(int chunkSize)
    {
        const string native =
            "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\",\"usage\":null}}\n\n"
            + "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"Hi\"}\n\n"
            + "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\",\"usage\":{\"input_tokens\":9,\"output_tokens\":21,\"total_tokens\":30}}}\n\n";

        var (text, usage) = await RunAsync(native, hideUsage: true, chunkSize);

        Assert.Equal(native, text);
        Assert.Equal(new UsageReport(9, 21), usage);
    }

    [Fact]
    public async Task Write_PassedThroughAnthropicStream_TakesInputFromMessageStartAndOutputFromTheLastDelta()
    {
        const string native =
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"usage\":{\"input_tokens\":11,\"output_tokens\":1}}}\n\n"
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n"
            + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":15}}\n\n"
            + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

        var (text, usage) = await RunAsync(native, hideUsage: true, chunkSize: 17);

        Assert.Equal(native, text);
        Assert.Equal(new UsageReport(11, 15), usage);
    }

    [Fact]
    public async Task Write_CountsSentAsStrings_RelaysTheStreamAndKeepsWhatWasCounted()
    {
        const string native =
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"usage\":{\"input_tokens\":11,\"output_tokens\":1}}}\n\n"
            + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":\"15\"}}\n\n";
        const string chat = "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":\"5\",\"completion_tokens\":\"7\"}}\n\n";

        var (nativeText, nativeUsage) = await RunAsync(native, hideUsage: false, chunkSize: 13);
        var (chatText, chatUsage) = await RunAsync(chat, hideUsage: false, chunkSize: 13);

        Assert.Equal((native, chat), (nativeText, chatText));
        Assert.Equal(new UsageReport(11, 1), nativeUsage);
        Assert.Null(chatUsage);
    }

    private static Task<(string Text, UsageReport? Usage)> RunAsync(bool hideUsage, int chunkSize) => RunAsync(Stream, hideUsage, chunkSize);

    private static async Task<(string Text, UsageReport? Usage)> RunAsync(string stream, bool hideUsage, int chunkSize)
    {
        var inner = new MemoryStream();
        var filter = new StreamUsageFilter(inner, hideUsage);
        var bytes = Encoding.UTF8.GetBytes(stream);
        for (var offset = 0; offset < bytes.Length; offset += chunkSize)
        {
            await filter.WriteAsync(bytes.AsMemory(offset, Math.Min(chunkSize, bytes.Length - offset)));
        }

        await filter.CompleteAsync(CancellationToken.None);
        return (Encoding.UTF8.GetString(inner.ToArray()), filter.Usage);
    }
}
