using System.Text;
using ExpertRouter.Core.OpenAI;
using ExpertRouter.Gateway.Protocols;
using ExpertRouter.Gateway.Protocols.Responses;
using ExpertRouter.Gateway.Protocols.State;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static ExpertRouter.Gateway.Tests.Protocols.ProtocolTestKit;

namespace ExpertRouter.Gateway.Tests.Protocols;

public sealed class ResponsesStreamTests
{
    private const string Tenant = "t1";

    private static readonly string TextStream = Sse([TextChunk("Hel"), TextChunk("lo "), TextChunk("wörld"), FinishChunk("stop"), UsageChunk(12, 3)]);

    /// <summary>Text, then two tool calls whose fragments interleave, then the finish and usage chunks.</summary>
    private static readonly string RichStream = Sse([
        TextChunk("Checking "), TextChunk("both."),
        ToolChunk(0, "e1", "weather", ""), ToolChunk(0, null, null, "{\"city\":"),
        ToolChunk(1, "e2", "weather", "{\"city\":"), ToolChunk(0, null, null, "\"Paris\"}"), ToolChunk(1, null, null, "\"Rome\"}"),
        FinishChunk("tool_calls"), UsageChunk(40, 22)]);

    private static (ResponsesProtocol Protocol, InProcessResponseStateStore Store) Protocol(IResponseStateStore? store = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var options = new ResponseStateOptions();
        var inProcess = new InProcessResponseStateStore(time, options);
        return (new ResponsesProtocol(store ?? inProcess, SequentialIds(), time, options, NullLogger<ResponsesProtocol>.Instance), inProcess);
    }

    private static async Task<(MemoryStream Client, ChatStreamTranslator Translator)> RunAsync(string sse, int chunkSize, string request = """{"model":"auto","input":"hi","stream":true}""", ResponsesProtocol? protocol = null)
    {
        protocol ??= Protocol().Protocol;
        var call = ResponsesResponseTranslationTests.Call(request);
        var client = new MemoryStream();
        var translator = protocol.OpenStream(Tenant, call, client);
        await FeedAsync(translator, sse, chunkSize);
        return (client, translator);
    }

    [Fact]
    public async Task Stream_Text_SendsTheTypedEventSequence()
    {
        var (client, translator) = await RunAsync(TextStream, 4096);

        var events = Events(client);
        Assert.Equal(
            ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
             "response.output_text.delta", "response.output_text.delta", "response.output_text.delta",
             "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"],
            events.Select(e => e.Event).ToArray());
        Assert.Equal(Enumerable.Range(0, events.Count).ToArray(), events.Select(e => e.Data["sequence_number"]!.GetValue<int>()).ToArray());
        Assert.Equal("in_progress", events[0].Data["response"]!["status"]!.GetValue<string>());
        Assert.Equal("expert-a", events[0].Data["response"]!["model"]!.GetValue<string>());
        Assert.Equal("Hello wörld", events[7].Data["text"]!.GetValue<string>());
        var completed = events[^1].Data["response"]!;
        Assert.Equal("completed", completed["status"]!.GetValue<string>());
        Assert.Equal("Hello wörld", completed["output"]![0]!["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal(12, completed["usage"]!["input_tokens"]!.GetValue<int>());
        Assert.Equal(3, completed["usage"]!["output_tokens"]!.GetValue<int>());
        Assert.Equal(3, completed["usage"]!["input_tokens_details"]!["cached_tokens"]!.GetValue<int>());
        Assert.True(translator.IsCompleted);
        Assert.Null(translator.Failure);
        Assert.Equal(new TokenUsage(12, 3, 15, CachedInputTokens: 3), translator.Usage);
    }

    [Fact]
    public async Task Stream_ParallelToolCallsInterleaved_AreTwoFunctionCallItems()
    {
        var (client, _) = await RunAsync(RichStream, 4096);

        var events = Events(client);
        var added = events.Where(e => e.Event == "response.output_item.added").Select(e => e.Data).ToList();
        Assert.Equal(["message", "function_call", "function_call"], added.Select(a => a["item"]!["type"]!.GetValue<string>()).ToArray());
        Assert.Equal([0, 1, 2], added.Select(a => a["output_index"]!.GetValue<int>()).ToArray());
        var names = events.Select(e => e.Event).ToList();
        var firstCall = events.FindIndex(e => e.Event == "response.output_item.added" && e.Data["output_index"]!.GetValue<int>() == 1);
        Assert.True(names.IndexOf("response.output_item.done") < firstCall, "the message closes before the first call opens");
        var done = events.Where(e => e.Event == "response.function_call_arguments.done").Select(e => e.Data).ToList();
        Assert.Equal(["{\"city\":\"Paris\"}", "{\"city\":\"Rome\"}"], done.Select(d => d["arguments"]!.GetValue<string>()).ToArray());
        Assert.All(done, d => Assert.Equal("weather", d["name"]!.GetValue<string>()));
        var deltas = events.Where(e => e.Event == "response.function_call_arguments.delta" && e.Data["output_index"]!.GetValue<int>() == 2);
        Assert.Equal("{\"city\":\"Rome\"}", string.Concat(deltas.Select(d => d.Data["delta"]!.GetValue<string>())));
        var completed = events[^1].Data["response"]!;
        Assert.Equal("completed", completed["status"]!.GetValue<string>());
        Assert.Equal(added[1]["item"]!["call_id"]!.GetValue<string>(), completed["output"]![1]!["call_id"]!.GetValue<string>());
        Assert.StartsWith("call_", completed["output"]![1]!["call_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Stream_SplitAtEveryByteBoundary_WritesTheSameEvents()
    {
        var whole = Encoding.UTF8.GetString((await RunAsync(RichStream, int.MaxValue)).Client.ToArray());
        var bytes = Utf8(RichStream);

        for (var size = 1; size < 64; size++)
        {
            var (client, _) = await RunAsync(RichStream, size);
            Assert.Equal(whole, Encoding.UTF8.GetString(client.ToArray()));
        }

        for (var split = 1; split < bytes.Length; split++)
        {
            var protocol = Protocol().Protocol;
            var client = new MemoryStream();
            var translator = protocol.OpenStream(Tenant, ResponsesResponseTranslationTests.Call("""{"model":"auto","input":"hi","stream":true}"""), client);
            await translator.WriteAsync(bytes.AsMemory(0, split));
            await translator.WriteAsync(bytes.AsMemory(split));
            await translator.CompleteAsync();
            Assert.Equal(whole, Encoding.UTF8.GetString(client.ToArray()));
        }
    }

    [Fact]
    public async Task Stream_CrLfLinesAndComments_AreDecodedLikeLf()
    {
        var crlf = ": keep-alive\r\n\r\n" + TextStream.Replace("\n", "\r\n");

        var (lf, _) = await RunAsync(TextStream, 4096);
        var (client, _) = await RunAsync(crlf, 3);

        Assert.Equal(lf.ToArray(), client.ToArray());
    }

    [Fact]
    public async Task Stream_NameAfterArguments_AnnouncesTheCallThenSendsBufferedArguments()
    {
        var sse = Sse([ToolChunk(0, "e1", null, "{\"a\""), ToolChunk(0, null, "f", ":1}"), FinishChunk("tool_calls")]);

        var (client, _) = await RunAsync(sse, 4096);

        var events = Events(client);
        var names = events.Select(e => e.Event).ToList();
        Assert.True(names.IndexOf("response.output_item.added") < names.IndexOf("response.function_call_arguments.delta"));
        Assert.Equal("{\"a\":1}", string.Concat(events.Where(e => e.Event == "response.function_call_arguments.delta").Select(e => e.Data["delta"]!.GetValue<string>())));
        Assert.Equal("f", events.Single(e => e.Event == "response.output_item.added").Data["item"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Stream_Refusal_SendsRefusalPartEvents()
    {
        var (client, _) = await RunAsync(Sse([RefusalChunk("I can't "), RefusalChunk("do that."), FinishChunk("stop")]), 4096);

        var events = Events(client);
        Assert.Equal("refusal", events.Single(e => e.Event == "response.content_part.added").Data["part"]!["type"]!.GetValue<string>());
        Assert.Equal("I can't do that.", events.Single(e => e.Event == "response.refusal.done").Data["refusal"]!.GetValue<string>());
        Assert.Equal("I can't do that.", events[^1].Data["response"]!["output"]![0]!["content"]![0]!["refusal"]!.GetValue<string>());
    }

    [Fact]
    public async Task Stream_LengthFinish_EndsWithResponseIncomplete()
    {
        var (client, _) = await RunAsync(Sse([TextChunk("Cut"), FinishChunk("length")]), 4096);

        var last = Events(client)[^1];
        Assert.Equal("response.incomplete", last.Event);
        Assert.Equal("max_output_tokens", last.Data["response"]!["incomplete_details"]!["reason"]!.GetValue<string>());
        Assert.Null(last.Data["response"]!["usage"]);
    }

    [Fact]
    public async Task Stream_EmptyAnswer_IsOneEmptyMessageOpenedAndClosed()
    {
        var (client, _) = await RunAsync(Sse(["{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}", FinishChunk("stop")]), 4096);

        var events = Events(client);
        Assert.Equal(
            ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
             "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"],
            events.Select(e => e.Event).ToArray());
        Assert.Equal("", events[^1].Data["response"]!["output"]![0]!["content"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Stream_FinishWithoutDone_CompletesCleanly()
    {
        var (client, translator) = await RunAsync(Sse([TextChunk("Hi"), FinishChunk("stop")], done: false), 5);

        Assert.Equal("response.completed", Events(client)[^1].Event);
        Assert.True(translator.IsCompleted);
    }

    [Fact]
    public async Task FailAsync_MidStream_SendsErrorThenResponseFailed()
    {
        var protocol = Protocol().Protocol;
        var client = new MemoryStream();
        var translator = protocol.OpenStream(Tenant, ResponsesResponseTranslationTests.Call("""{"model":"auto","input":"hi","stream":true}"""), client);
        await FeedAsync(translator, Sse([TextChunk("Half an ans")], done: false), 7, complete: false);

        await translator.FailAsync(ApiError.Upstream(502, "The expert's connection was cut."));
        await translator.CompleteAsync();

        var events = Events(client);
        Assert.Equal(["error", "response.failed"], events[^2..].Select(e => e.Event).ToArray());
        Assert.Equal("upstream_error", events[^2].Data["code"]!.GetValue<string>());
        Assert.Equal("The expert's connection was cut.", events[^2].Data["message"]!.GetValue<string>());
        var failed = events[^1].Data["response"]!;
        Assert.Equal("failed", failed["status"]!.GetValue<string>());
        Assert.Equal("server_error", failed["error"]!["code"]!.GetValue<string>());
        Assert.Equal("Half an ans", failed["output"]![0]!["content"]![0]!["text"]!.GetValue<string>());
        Assert.DoesNotContain(events, e => e.Event == "response.completed");
        Assert.False(translator.IsCompleted);
        Assert.NotNull(translator.Failure);
    }

    [Fact]
    public async Task Stream_ErrorEventFromExpert_FailsAndIgnoresTheRest()
    {
        var sse = "data: " + TextChunk("Hi") + "\n\n"
            + """data: {"error":{"message":"Rate limit reached","type":"rate_limit_error","param":null,"code":"rate_limit_exceeded"}}""" + "\n\n"
            + "data: " + TextChunk("ignored") + "\n\ndata: [DONE]\n\n";

        var (client, translator) = await RunAsync(sse, 9);

        var events = Events(client);
        Assert.Equal("rate_limit_exceeded", events[^2].Data["code"]!.GetValue<string>());
        Assert.Equal("rate_limit_exceeded", events[^1].Data["response"]!["error"]!["code"]!.GetValue<string>());
        Assert.DoesNotContain(events, e => e.Data["delta"]?.GetValue<string>() == "ignored");
        Assert.Equal(429, translator.Failure!.StatusCode);
    }

    [Theory]
    [InlineData("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n")]
    [InlineData("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: {not json}\n\n")]
    public async Task Stream_EndsWithoutFinish_FailsInsteadOfCompleting(string sse)
    {
        var (client, translator) = await RunAsync(sse, 4096);

        Assert.Equal("response.failed", Events(client)[^1].Event);
        Assert.Equal(502, translator.Failure!.StatusCode);
    }

    [Fact]
    public async Task FailAsync_BeforeAnyChunk_StillOpensTheResponseFirst()
    {
        var client = new MemoryStream();
        var translator = Protocol().Protocol.OpenStream(Tenant, ResponsesResponseTranslationTests.Call("""{"model":"auto","input":"hi","stream":true}"""), client);
        Assert.False(translator.HasStarted);

        await translator.FailAsync(ApiError.Timeout("The expert did not answer in time."));

        Assert.Equal(["response.created", "response.in_progress", "error", "response.failed"], Events(client).Select(e => e.Event).ToArray());
        Assert.True(translator.HasStarted);
    }

    [Fact]
    public async Task Stream_Completed_IsStoredBeforeTheClientHearsOfIt()
    {
        var client = new MemoryStream();
        var observing = new ObservingStore(client);
        var (protocol, _) = Protocol(observing);

        var translator = protocol.OpenStream(Tenant, ResponsesResponseTranslationTests.Call("""{"model":"auto","input":"hi","stream":true}"""), client);
        await FeedAsync(translator, TextStream, 16);

        Assert.NotNull(observing.Saved);
        Assert.False(observing.ClientHadCompletedAtSave);
        Assert.Equal("""[{"role":"user","content":"hi"},{"role":"assistant","content":"Hello wörld"}]""", observing.Saved!.MessagesJson);
    }

    [Fact]
    public async Task Stream_StoreFalse_StoresNothing()
    {
        var (protocol, store) = Protocol();

        await RunAsync(TextStream, 4096, """{"model":"auto","input":"hi","stream":true,"store":false}""", protocol);

        Assert.Equal(0, store.Count);
    }

    /// <summary>Records what was saved, and whether the client had already been told the response completed.</summary>
    private sealed class ObservingStore(MemoryStream client) : IResponseStateStore
    {
        public StoredResponse? Saved { get; private set; }

        public bool ClientHadCompletedAtSave { get; private set; }

        public string Name => "observing";

        public ValueTask<StoredResponse?> GetAsync(string tenantId, string responseId, CancellationToken cancellationToken) => ValueTask.FromResult<StoredResponse?>(null);

        public ValueTask SaveAsync(string tenantId, StoredResponse response, CancellationToken cancellationToken)
        {
            Saved = response;
            ClientHadCompletedAtSave = Encoding.UTF8.GetString(client.ToArray()).Contains("response.completed", StringComparison.Ordinal);
            return ValueTask.CompletedTask;
        }
    }
}
