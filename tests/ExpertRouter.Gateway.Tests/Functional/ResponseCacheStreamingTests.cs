using System.Net;
using System.Text;
using System.Text.Json;

namespace ExpertRouter.Gateway.Tests.Functional;

/// <summary>Streams from the simulated experts: a complete stream is reassembled and stored, then served to anyone.</summary>
public sealed class ResponseCacheStreamingTests : IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayBuilder.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task CompleteStream_IsStored_AndServedAsJsonAfterwards()
    {
        const string body = """{"model":"auto","temperature":0,"stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Tell me about caching"}]}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var streamed = await _gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = (await streamed.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        var streamedText = string.Concat(events[..^1]
            .Select(e => JsonDocument.Parse(e.Trim()["data: ".Length..]).RootElement)
            .Where(c => c.GetProperty("choices").GetArrayLength() > 0)
            .Select(c => c.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var t) ? t.GetString() : ""));

        using var json = await _gateway.Client.PostAsync("/v1/chat/completions",
            new StringContent(body.Replace("\"stream\":true,", "", StringComparison.Ordinal), Encoding.UTF8, "application/json"));
        using var answer = JsonDocument.Parse(await json.Content.ReadAsStringAsync());

        Assert.Equal(("miss", "hit"), (CacheTestRequests.CacheResult(streamed), CacheTestRequests.CacheResult(json)));
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.False(string.IsNullOrEmpty(streamedText));
        Assert.Equal(streamedText, answer.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.True(answer.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32() > 0);
    }

    [Fact]
    public async Task Metrics_CountLookupsAndSavings()
    {
        for (var i = 0; i < 2; i++)
        {
            using var response = await _gateway.Client.PostAsync("/v1/chat/completions",
                new StringContent("""{"model":"gpt-4o-2024-08-06","temperature":0,"messages":[{"role":"user","content":"metrics please"}]}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        string text = "";
        for (var i = 0; i < 50 && !text.Contains("expertrouter_cache_saved_usd_total{", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
            text = await _gateway.ScrapeAsync();
        }

        Assert.Contains("expertrouter_cache_lookups_total{", text);
        Assert.Contains("result=\"hit\"", text);
        Assert.Contains("expertrouter_cache_saved_usd_total{", text);
    }
}
