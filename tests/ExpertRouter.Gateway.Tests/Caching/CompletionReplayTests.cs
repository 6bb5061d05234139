using System.Text;
using System.Text.Json;
using ExpertRouter.Gateway.Caching.Replay;

namespace ExpertRouter.Gateway.Tests.Caching;

public sealed class CompletionReplayTests
{
    private static byte[] Sse(params string[] data) =>
        Encoding.UTF8.GetBytes(string.Concat(data.Select(d => $"data: {d}\n\n")));

    private const string Role = """{"id":"c1","object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}""";
    private const string Hello = """{"id":"c1","object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":0,"delta":{"content":"Hello, "},"finish_reason":null}]}""";
    private const string World = """{"id":"c1","object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":0,"delta":{"content":"world"},"finish_reason":null}]}""";
    private const string Stop = """{"id":"c1","object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""";
    private const string Usage = """{"id":"c1","object":"chat.completion.chunk","created":5,"model":"m","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}""";

    private static string ContentOf(byte[] completion)
    {
        using var document = JsonDocument.Parse(completion);
        return document.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
    }

    [Fact]
    public void FromEventStream_CompleteStream_ReassemblesCompletionWithUsage()
    {
        var captured = CompletionAssembler.FromEventStream(Sse(Role, Hello, World, Stop, Usage, "[DONE]"));

        Assert.NotNull(captured);
        Assert.Equal("Hello, world", ContentOf(captured.Body));
        Assert.Equal((7, 3), (captured.PromptTokens, captured.CompletionTokens));
        using var document = JsonDocument.Parse(captured.Body);
        Assert.Equal("chat.completion", document.RootElement.GetProperty("object").GetString());
        Assert.Equal("stop", document.RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public void NumbersAndIdsOfTheWrongKind_AreKeptAsUnknown_NotThrown()
    {
        // An expert that quotes its numbers: before, JsonElement.TryGetInt64 threw out of the cache's capture and replay.
        var captured = CompletionAssembler.FromEventStream(Sse(
            Role.Replace("\"created\":5", "\"created\":\"5\"").Replace("\"id\":\"c1\"", "\"id\":1"), Hello.Replace("\"index\":0", "\"index\":\"0\""), Stop,
            Usage.Replace("\"prompt_tokens\":7", "\"prompt_tokens\":\"7\""), "[DONE]"));
        var json = CompletionAssembler.FromJson("""{"id":7,"object":"chat.completion","created":"now","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":"2","completion_tokens":1}}"""u8);

        Assert.NotNull(captured);
        Assert.Equal((0, 3), (captured.PromptTokens, captured.CompletionTokens));
        Assert.Equal("Hello, ", ContentOf(captured.Body));
        Assert.NotNull(json);
        Assert.Equal((0, 1), (json.PromptTokens, json.CompletionTokens));
        var replay = Encoding.UTF8.GetString(CachedResponseWriter.ToEventStream(json.Body, includeUsage: false).Span);
        Assert.Contains("\"created\":0", replay, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEventStream_NoDone_IsNotKept() =>
        Assert.Null(CompletionAssembler.FromEventStream(Sse(Role, Hello, World, Stop)));

    [Fact]
    public void FromEventStream_ErrorEvent_IsNotKept() =>
        Assert.Null(CompletionAssembler.FromEventStream(Sse(Role, Hello, """{"error":{"message":"broke","type":"server_error"}}""", "[DONE]")));

    [Fact]
    public void FromEventStream_NoFinishReason_IsNotKept() =>
        Assert.Null(CompletionAssembler.FromEventStream(Sse(Role, Hello, "[DONE]")));

    [Fact]
    public void FromEventStream_ToolCallDeltas_AreNotKept() =>
        Assert.Null(CompletionAssembler.FromEventStream(Sse(
            Role,
            """{"id":"c1","object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"t","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":null}]}""",
            Stop,
            "[DONE]")));

    [Fact]
    public void FromJson_ErrorBody_IsNotKept() =>
        Assert.Null(CompletionAssembler.FromJson("""{"error":{"message":"x"}}"""u8));

    [Fact]
    public void ToEventStream_ThenReassembled_GivesBackTheCompletion()
    {
        var content = string.Concat(Enumerable.Repeat("A longer answer with an emoji 😀 that spans chunks. ", 5));
        var completion = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            id = "c9",
            @object = "chat.completion",
            created = 1,
            model = "m",
            choices = new[] { new { index = 0, message = new { role = "assistant", content }, finish_reason = "length" } },
            usage = new { prompt_tokens = 4, completion_tokens = 60, total_tokens = 64 },
        }));

        var replay = Encoding.UTF8.GetString(CachedResponseWriter.ToEventStream(completion, includeUsage: true).Span);
        var events = replay.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        var again = CompletionAssembler.FromEventStream(Encoding.UTF8.GetBytes(replay));

        Assert.Equal("data: [DONE]", events[^1]);
        Assert.True(events.Length > 5);
        Assert.Contains("\"usage\"", events[^2]);
        Assert.Equal(content, ContentOf(again!.Body));
        Assert.Equal((4, 60), (again.PromptTokens, again.CompletionTokens));
    }

    [Fact]
    public void ToEventStream_WithoutIncludeUsage_HasNoUsageChunk()
    {
        var completion = """{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}"""u8.ToArray();

        var replay = Encoding.UTF8.GetString(CachedResponseWriter.ToEventStream(completion, includeUsage: false).Span);

        Assert.DoesNotContain("usage", replay);
        Assert.EndsWith("data: [DONE]\n\n", replay);
    }

    [Fact]
    public void ToEventStream_ToolCalls_AreReplayedWithIndexes()
    {
        var completion = """{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},"finish_reason":"tool_calls"}]}"""u8.ToArray();

        var replay = Encoding.UTF8.GetString(CachedResponseWriter.ToEventStream(completion, includeUsage: false).Span);
        var toolEvent = replay.Split("\n\n").Single(e => e.Contains("tool_calls\":[", StringComparison.Ordinal));
        using var chunk = JsonDocument.Parse(toolEvent["data: ".Length..]);
        var call = chunk.RootElement.GetProperty("choices")[0].GetProperty("delta").GetProperty("tool_calls")[0];

        Assert.Equal(0, call.GetProperty("index").GetInt32());
        Assert.Equal("get_weather", call.GetProperty("function").GetProperty("name").GetString());
        Assert.Contains("\"finish_reason\":\"tool_calls\"", replay);
    }
}
