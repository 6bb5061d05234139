using System.Text;
using ExpertRouter.Gateway.Pipeline;
using ExpertRouter.Gateway.Pipeline.Usage;

namespace ExpertRouter.Gateway.Tests.Pipeline.Usage;

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

    [Fact]
    public async Task Capture_BodyLargerThanKept_ReadsUsageFromTail()
    {
        // A large embeddings answer: only prompt and total tokens, usage last.
        var vectors = string.Join(",", Enumerable.Range(0, 800_000).Select(i => "0.125"));
        var body = """{"object":"list","data":[{"embedding":[""" + vectors + """]}],"usage":{"prompt_tokens":40,"total_tokens":40}}""";
        var capture = new UsageCaptureStream(Stream.Null);
        var bytes = Encoding.UTF8.GetBytes(body);

        for (var offset = 0; offset < bytes.Length; offset += 65_536)
        {
            await capture.WriteAsync(bytes.AsMemory(offset, Math.Min(65_536, bytes.Length - offset)));
        }

        Assert.True(bytes.Length > 4 * 1024 * 1024);
        Assert.Equal(new UsageReport(40, 0), capture.Usage);
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
