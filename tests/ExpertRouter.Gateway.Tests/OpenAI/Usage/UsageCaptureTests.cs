using System.Text;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.OpenAI.Usage;
using ExpertRouter.Gateway.Pipeline;

namespace ExpertRouter.Gateway.Tests.OpenAI.Usage;

public sealed class UsageCaptureTests
{
    [Fact]
    public async Task Capture_SmallBody_RelaysUnchangedAndReadsUsage()
    {
        var body = """{"id":"x","choices":[{"message":{"content":"\"usage\": {\"prompt_tokens\": 999}"}}],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}""";
        var inner = new MemoryStream();
        var capture = new UsageCaptureStream(inner);

        await capture.WriteAsync(Encoding.UTF8.GetBytes(body));

        Assert.Equal(body, Encoding.UTF8.GetString(inner.ToArray()));
        Assert.Equal(new UsageReport(5, 7), capture.Usage);
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(65_536)]
    [InlineData(1_000_000)]
    [InlineData(int.MaxValue)]
    public async Task Capture_BodyLargerThanKept_ReadsUsageFromTail(int chunk)
    {
        // A large embeddings answer: only prompt and total tokens, usage last; written in pieces of every size
        // against the 64 KiB tail kept, and in one piece.
        var vectors = string.Join(",", Enumerable.Range(0, 800_000).Select(i => "0.125"));
        var body = """{"object":"list","data":[{"embedding":[""" + vectors + """]}],"usage":{"prompt_tokens":40,"total_tokens":40}}""";
        var inner = new MemoryStream();
        using var capture = new UsageCaptureStream(inner);
        var bytes = Encoding.UTF8.GetBytes(body);

        for (var offset = 0; offset < bytes.Length; offset += chunk)
        {
            await capture.WriteAsync(bytes.AsMemory(offset, Math.Min(chunk, bytes.Length - offset)));
        }

        Assert.True(bytes.Length > 4 * 1024 * 1024);
        Assert.Equal(bytes.Length, inner.Length);
        Assert.Equal(new UsageReport(40, 0), capture.Usage);
    }

    [Fact]
    public async Task Capture_ManySmallWrites_KeepsTheWholeBodyInOrder()
    {
        var filler = string.Concat(Enumerable.Repeat("the quick brown fox ", 2_000));
        var body = "{\"id\":\"x\",\"choices\":[{\"message\":{\"content\":\"" + filler + "\"}}],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":13}}";
        var bytes = Encoding.UTF8.GetBytes(body);
        using var capture = new UsageCaptureStream(Stream.Null);

        for (var offset = 0; offset < bytes.Length; offset += 7)
        {
            capture.Write(bytes, offset, Math.Min(7, bytes.Length - offset));
        }

        Assert.Equal(new UsageReport(11, 13), capture.Usage);
    }

    [Theory]
    [InlineData("""{"object":"response","usage":{"input_tokens":7,"output_tokens":19,"total_tokens":26}}""", 7, 19)]
    [InlineData("""{"type":"message","usage":{"input_tokens":5,"output_tokens":8,"cache_creation_input_tokens":2,"cache_read_input_tokens":3}}""", 10, 8)]
    public void FromDocument_NativeUsage_ReadsInputAndOutputTokens(string json, long prompt, long completion)
    {
        Assert.Equal(new UsageReport(prompt, completion), UsageReport.FromDocument(Encoding.UTF8.GetBytes(json)));
    }

    [Theory]
    [InlineData("""{"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}""")]
    [InlineData("""{"data":[{"embedding":[0.1,0.2]}],"usage":{"prompt_tokens":40,"total_tokens":41}}""")]
    [InlineData("""{"usage":{"prompt_tokens":5,"prompt_tokens_details":{"cached_tokens":2},"completion_tokens":7}}""")]
    [InlineData("""{"usage":{"prompt_tokens":"5","input_tokens":3,"output_tokens":4}}""")]
    [InlineData("""{"usage":{"input_tokens":5,"output_tokens":8,"cache_read_input_tokens":3,"cache_creation_input_tokens":1}}""")]
    [InlineData("""{"choices":[{"message":{"usage":{"prompt_tokens":99}}}],"usage":{"\u0070rompt_tokens":1,"completion_tokens":2.5,"total_tokens":4}}""")]
    [InlineData("""{"usage":{"output_tokens":4}}""")]
    [InlineData("""{"usage":null}""")]
    [InlineData("""{"usage":[1,2]}""")]
    [InlineData("""{"id":"x"}""")]
    [InlineData("""[{"usage":{"prompt_tokens":1}}]""")]
    [InlineData("""{"usage":{"prompt_tokens":1},"usage":{"prompt_tokens":2,"completion_tokens":3}}""")]
    [InlineData("""{"usage":{"prompt_tokens":1,"prompt_tokens":6,"completion_tokens":3}}""")]
    public void FromDocument_ReadsWhatAParsedDocumentReads(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        using var document = System.Text.Json.JsonDocument.Parse(bytes);
        var root = document.RootElement;
        var expected = root.ValueKind == System.Text.Json.JsonValueKind.Object && root.TryGetProperty("usage", out var usage)
            ? UsageReport.FromElement(usage)
            : null;

        Assert.Equal(expected, UsageReport.FromDocument(bytes));
    }

    [Fact]
    public void CountsSentAsStrings_AreNotCounts_AndNeverThrow()
    {
        // An expert that quotes its counts: before, JsonElement.TryGetInt64 threw on the string (an error, not "no usage").
        var usage = System.Text.Json.JsonDocument.Parse("""{"prompt_tokens":"5","completion_tokens":"7"}""").RootElement;

        Assert.Null(UsageReport.FromElement(usage));
        Assert.Null(UsageReport.FromDocument("""{"usage":{"prompt_tokens":"5","completion_tokens":"7"}}"""u8));
        Assert.Equal(new UsageReport(5, 0), UsageReport.FromTail("""{"usage":{"prompt_tokens":5,"completion_tokens":"7"}}"""u8));
    }

    [Fact]
    public void FromDocument_MalformedAfterUsage_IsNotRead()
    {
        Assert.Null(UsageReport.FromDocument("""{"usage":{"prompt_tokens":1,"completion_tokens":2},"id":"""u8));
    }

    [Fact]
    public void FromTail_EscapedKeyInsideString_Skipped()
    {
        var tail = Encoding.UTF8.GetBytes("""ent":"say \"usage\":{\"prompt_tokens\":1}"}}]}""");

        Assert.Null(UsageReport.FromTail(tail));
    }

    [Fact]
    public void WithIncludeUsage_NoStreamOptions_InsertsOptionAndKeepsModelToken()
    {
        var body = """{"model":"auto","stream":true,"messages":[{"role":"user","content":"hi"}]}""";
        var (request, _) = OpenAIRequestParser.Parse(Encoding.UTF8.GetBytes(body), OpenAIEndpoint.ChatCompletions);

        var patched = StreamUsageRequest.WithIncludeUsage(request!);

        var text = Encoding.UTF8.GetString(patched.Body.Span);
        Assert.StartsWith("""{"stream_options":{"include_usage":true},"model":"auto",""", text);
        Assert.Equal("\"auto\"", Encoding.UTF8.GetString(patched.Body.Span[patched.ModelToken]));
        Assert.True(OpenAIRequestParser.Parse(patched.Body, OpenAIEndpoint.ChatCompletions).Request!.StreamIncludeUsage);
    }

    [Fact]
    public void WithIncludeUsage_StreamOptionsWithoutIt_SetsIt()
    {
        var body = """{"model":"auto","stream":true,"stream_options":{"include_usage":false},"messages":[{"role":"user","content":"hi"}]}""";
        var (request, _) = OpenAIRequestParser.Parse(Encoding.UTF8.GetBytes(body), OpenAIEndpoint.ChatCompletions);

        var patched = StreamUsageRequest.WithIncludeUsage(request!);

        Assert.True(patched.StreamIncludeUsage);
        Assert.Equal("\"auto\"", Encoding.UTF8.GetString(patched.Body.Span[patched.ModelToken]));
    }
}
