using System.Text;
using System.Text.Json.Nodes;
using ExpertRouter.Core.OpenAI;
using ExpertRouter.Gateway.Protocols;
using ExpertRouter.Gateway.Protocols.Messages;
using static ExpertRouter.Gateway.Tests.Protocols.ProtocolTestKit;

namespace ExpertRouter.Gateway.Tests.Protocols;

public sealed class AnthropicStreamTests
{
    private const string Request = """{"model":"claude-x","max_tokens":100,"stream":true,"tools":[{"name":"files.read","input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"hi"}]}""";

    private static async Task<(MemoryStream Client, ChatStreamTranslator Translator)> RunAsync(string sse, int chunkSize, bool complete = true)
    {
        var call = AnthropicRequestTranslationTests.Call(Request);
        var client = new MemoryStream();
        var translator = new AnthropicMessagesProtocol(SequentialIds()).OpenStream(call, client);
        await FeedAsync(translator, sse, chunkSize, complete);
        return (client, translator);
    }

    private static string ExpertName => AnthropicRequestTranslationTests.Call(Request).ToolNames.ToExpert("files.read");

    /// <summary>Text, then two tool calls one after the other (as chat streams them), then finish and usage.</summary>
    private static string ToolStream => Sse([
        TextChunk("Reading "), TextChunk("both."),
        ToolChunk(0, "e1", ExpertName, ""), ToolChunk(0, null, null, "{\"path\":"), ToolChunk(0, null, null, "\"/a\"}"),
        ToolChunk(1, "e2", ExpertName, "{\"path\":\"/b\"}"),
        FinishChunk("tool_calls"), UsageChunk(30, 12)]);

    [Fact]
    public async Task Stream_Text_SendsAnthropicsEventSequence()
    {
        var (client, translator) = await RunAsync(Sse([TextChunk("Hello"), TextChunk(" there"), FinishChunk("stop"), UsageChunk(10, 2)]), 4096);

        var events = Events(client);
        Assert.Equal(
            ["message_start", "ping", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"],
            events.Select(e => e.Event).ToArray());
        var start = events[0].Data["message"]!;
        Assert.StartsWith("msg_", start["id"]!.GetValue<string>());
        Assert.Equal("expert-a", start["model"]!.GetValue<string>());
        Assert.Empty(start["content"]!.AsArray());
        Assert.Null(start["stop_reason"]);
        Assert.True(start["usage"]!["input_tokens"]!.GetValue<int>() > 0);
        Assert.Equal("""{"type":"text","text":""}""", events[2].Data["content_block"]!.ToJsonString());
        Assert.Equal("""{"type":"text_delta","text":" there"}""", events[4].Data["delta"]!.ToJsonString());
        var delta = events[6].Data;
        Assert.Equal("end_turn", delta["delta"]!["stop_reason"]!.GetValue<string>());
        Assert.Equal(7, delta["usage"]!["input_tokens"]!.GetValue<int>());
        Assert.Equal(2, delta["usage"]!["output_tokens"]!.GetValue<int>());
        Assert.True(translator.IsCompleted);
    }

    [Fact]
    public async Task Stream_ToolCalls_AreSequentialToolUseBlocksWithInputJsonDeltas()
    {
        var (client, _) = await RunAsync(ToolStream, 4096);

        var events = Events(client);
        var starts = events.Where(e => e.Event == "content_block_start").Select(e => e.Data).ToList();
        Assert.Equal([0, 1, 2], starts.Select(s => s["index"]!.GetValue<int>()).ToArray());
        Assert.Equal(["text", "tool_use", "tool_use"], starts.Select(s => s["content_block"]!["type"]!.GetValue<string>()).ToArray());
        Assert.Equal("files.read", starts[1]["content_block"]!["name"]!.GetValue<string>());
        Assert.StartsWith("toolu_", starts[1]["content_block"]!["id"]!.GetValue<string>());
        Assert.Equal("{}", starts[1]["content_block"]!["input"]!.ToJsonString());
        Assert.Equal("{\"path\":\"/a\"}", PartialJson(events, 1));
        Assert.Equal("{\"path\":\"/b\"}", PartialJson(events, 2));
        Assert.Equal([0, 1, 2], events.Where(e => e.Event == "content_block_stop").Select(e => e.Data["index"]!.GetValue<int>()).ToArray());
        Assert.Equal("tool_use", events[^2].Data["delta"]!["stop_reason"]!.GetValue<string>());
        Assert.Equal("message_stop", events[^1].Event);
    }

    [Fact]
    public async Task Stream_SplitAtEveryByteBoundary_WritesTheSameEvents()
    {
        var sse = ToolStream;
        var whole = Encoding.UTF8.GetString((await RunAsync(sse, int.MaxValue)).Client.ToArray());
        var bytes = Utf8(sse);

        for (var size = 1; size < 48; size++)
        {
            Assert.Equal(whole, Encoding.UTF8.GetString((await RunAsync(sse, size)).Client.ToArray()));
        }

        for (var split = 1; split < bytes.Length; split++)
        {
            var client = new MemoryStream();
            var translator = new AnthropicMessagesProtocol(SequentialIds()).OpenStream(AnthropicRequestTranslationTests.Call(Request), client);
            await translator.WriteAsync(bytes.AsMemory(0, split));
            await translator.WriteAsync(bytes.AsMemory(split));
            await translator.CompleteAsync();
            Assert.Equal(whole, Encoding.UTF8.GetString(client.ToArray()));
        }
    }

    [Fact]
    public async Task FailAsync_MidStream_EndsWithAnErrorEvent()
    {
        var (client, translator) = await RunAsync(Sse([TextChunk("Half")], done: false), 3, complete: false);

        await translator.FailAsync(new ApiError(529, "Overloaded", "server_error"));

        var events = Events(client);
        Assert.Equal("error", events[^1].Event);
        Assert.Equal("""{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""", events[^1].Data.ToJsonString());
        Assert.DoesNotContain(events, e => e.Event == "message_stop");
    }

    [Fact]
    public async Task Stream_ErrorEventFromExpert_EndsWithRateLimitError()
    {
        var sse = "data: " + TextChunk("Hi") + "\n\n"
            + """data: {"error":{"message":"Slow down","type":"rate_limit_error","code":"rate_limit_exceeded"}}""" + "\n\n";

        var (client, translator) = await RunAsync(sse, 11);

        Assert.Equal("rate_limit_error", Events(client)[^1].Data["error"]!["type"]!.GetValue<string>());
        Assert.Equal(429, translator.Failure!.StatusCode);
    }

    [Fact]
    public async Task Stream_InterleavedToolArguments_FailRatherThanMisplaceThem()
    {
        var sse = Sse([ToolChunk(0, "e1", "a", "{\"x\":"), ToolChunk(1, "e2", "b", "{}"), ToolChunk(0, null, null, "1}"), FinishChunk("tool_calls")]);

        var (client, translator) = await RunAsync(sse, 4096);

        Assert.Equal("error", Events(client)[^1].Event);
        Assert.Equal(502, translator.Failure!.StatusCode);
    }

    [Fact]
    public async Task Stream_CutBeforeFinish_EndsWithApiError()
    {
        var (client, translator) = await RunAsync(Sse([TextChunk("Hal")], done: false), 4096);

        Assert.Equal("api_error", Events(client)[^1].Data["error"]!["type"]!.GetValue<string>());
        Assert.False(translator.IsCompleted);
    }

    [Fact]
    public async Task Stream_StopSequenceMatched_ReportsIt()
    {
        var call = AnthropicRequestTranslationTests.Call("""{"model":"m","max_tokens":9,"stream":true,"stop_sequences":["###"],"messages":[{"role":"user","content":"hi"}]}""");
        var client = new MemoryStream();
        var translator = new AnthropicMessagesProtocol(SequentialIds()).OpenStream(call, client);

        await FeedAsync(translator, Sse([TextChunk("a"), FinishChunk("stop", "###")]), 4096);

        var delta = Events(client)[^2].Data["delta"]!;
        Assert.Equal("stop_sequence", delta["stop_reason"]!.GetValue<string>());
        Assert.Equal("###", delta["stop_sequence"]!.GetValue<string>());
    }

    private static string PartialJson(List<(string Event, JsonNode Data)> events, int index) => string.Concat(events
        .Where(e => e.Event == "content_block_delta" && e.Data["index"]!.GetValue<int>() == index)
        .Select(e => e.Data["delta"]!["partial_json"]!.GetValue<string>()));
}
