using System.Net;
using System.Text;

namespace ExpertRouter.Gateway.Tests.Functional;

public sealed class StreamFailureTests
{
    [Fact]
    public async Task Stream_UpstreamBreaksAfterFirstByte_EndsWithErrorEventNotCleanDone()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        upstream.CutStreamAfterEvents = 2;
        await using var gateway = await GatewayBuilder.StartAsync(new Dictionary<string, string?>
        {
            ["ExpertRouter:Experts:13:Id"] = "breaks",
            ["ExpertRouter:Experts:13:BaseUrls:0"] = upstream.BaseAddress.ToString(),
        });

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"breaks","stream":true,"messages":[{"role":"user","content":"x"}]}""", Encoding.UTF8, "application/json"),
        };
        using var response = await gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var seen = new StringBuilder();
        while (!seen.ToString().Contains("part1", StringComparison.Ordinal) && await reader.ReadLineAsync() is { } line)
        {
            seen.Append(line).Append('\n');
        }

        upstream.StreamRelayed.SetResult();
        var text = seen + await reader.ReadToEndAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("part0", text);
        Assert.Contains("part1", text);
        Assert.DoesNotContain("[DONE]", text);
        var last = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)[^1].Trim();
        Assert.StartsWith("data: {\"error\":", last);
        Assert.Contains("upstream_stream_interrupted", last);
    }
}
