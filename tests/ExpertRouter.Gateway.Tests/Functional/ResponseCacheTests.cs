using System.Net;
using System.Text;
using System.Text.Json;
using static ExpertRouter.Gateway.Tests.Functional.CacheTestRequests;

namespace ExpertRouter.Gateway.Tests.Functional;

/// <summary>The response cache end to end: a recording expert counts what really reaches upstream.</summary>
public sealed class ResponseCacheTests : IAsyncLifetime
{
    private RecordingUpstream _upstream = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await RecordingUpstream.StartAsync();
        _gateway = await GatewayBuilder.StartAsync(CacheTestRequests.Settings(_upstream));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task IdenticalDeterministicRequest_IsHit_AndNeverReachesTheExpert()
    {
        using var first = await _gateway.Client.PostAsync("/v1/chat/completions", Chat("What is 2+2?"));
        using var second = await _gateway.Client.PostAsync("/v1/chat/completions",
            new StringContent("""{ "temperature": 0.0, "messages": [ { "content": "What is 2+2?", "role": "user" } ], "model": "recorder" }""", Encoding.UTF8, "application/json"));

        Assert.Equal(("miss", "hit"), (CacheResult(first), CacheResult(second)));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("recorder", second.Headers.GetValues("x-expertrouter-expert").Single());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Single(_upstream.Requests);
    }

    [Fact]
    public async Task Hit_ShowsInUsageAsSavingAndCostsNothing()
    {
        using var miss = await _gateway.Client.PostAsync("/v1/chat/completions", Chat("What is 3+3?"));
        using var hit = await _gateway.Client.PostAsync("/v1/chat/completions", Chat("What is 3+3?"));
        using var usage = JsonDocument.Parse(await _gateway.Client.GetStringAsync("/v1/usage"));

        var root = usage.RootElement;
        var line = root.GetProperty("data").EnumerateArray().Single(l => l.GetProperty("expert").GetString() == "recorder");
        Assert.Equal(("miss", "hit"), (CacheResult(miss), CacheResult(hit)));
        Assert.Equal((1, 1), (line.GetProperty("requests").GetInt32(), line.GetProperty("cache_hits").GetInt32()));
        // The hit saved exactly what the miss was charged: same stored usage, same expert prices.
        Assert.True(line.GetProperty("cost_usd").GetDouble() > 0);
        Assert.Equal(line.GetProperty("cost_usd").GetDouble(), line.GetProperty("saved_usd").GetDouble(), 12);
        Assert.Equal(line.GetProperty("saved_usd").GetDouble(), root.GetProperty("total_saved_usd").GetDouble(), 12);
        Assert.Equal(1, root.GetProperty("cache_hits").GetInt32());
        Assert.Equal(line.GetProperty("cost_usd").GetDouble(), root.GetProperty("total_cost_usd").GetDouble(), 12);
    }

    [Fact]
    public async Task SamePromptFromTwoTenants_NeverHitsAcross()
    {
        using var other = _gateway.CreateClient(OtherKey);

        using var demo = await _gateway.Client.PostAsync("/v1/chat/completions", Chat("Tenant secret question"));
        using var fromOther = await other.PostAsync("/v1/chat/completions", Chat("Tenant secret question"));

        Assert.Equal(("miss", "miss"), (CacheResult(demo), CacheResult(fromOther)));
        Assert.Equal(2, _upstream.Requests.Count);
    }

    [Fact]
    public async Task NonDeterministicRequest_Bypasses()
    {
        using var first = await _gateway.Client.PostAsync("/v1/chat/completions", Chat("Tell me a joke", extra: ""));
        using var second = await _gateway.Client.PostAsync("/v1/chat/completions", Chat("Tell me a joke", extra: ""));

        Assert.Equal(("bypass", "bypass"), (CacheResult(first), CacheResult(second)));
        Assert.Equal(2, _upstream.Requests.Count);
    }

    [Theory]
    [InlineData(""","temperature":0.7""")]
    [InlineData("")]
    public async Task NonDeterministicRequest_TenantThatOptsIn_IsCached(string temperature)
    {
        await using var gateway = await GatewayBuilder.StartAsync(new Dictionary<string, string?>(Settings(_upstream))
        {
            ["ExpertRouter:Cache:Tenants:demo:CacheNonDeterministic"] = "true",
        });

        using var first = await gateway.Client.PostAsync("/v1/chat/completions", Chat("Tell me a joke", extra: temperature));
        using var second = await gateway.Client.PostAsync("/v1/chat/completions", Chat("Tell me a joke", extra: temperature));

        Assert.Equal(("miss", "hit"), (CacheResult(first), CacheResult(second)));
        Assert.Single(_upstream.Requests);
    }

    [Fact]
    public async Task NoStoreHeader_Bypasses()
    {
        using var first = await _gateway.Client.PostAsync("/v1/chat/completions", Chat("private"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Chat("private") };
        request.Headers.CacheControl = new System.Net.Http.Headers.CacheControlHeaderValue { NoStore = true };
        using var second = await _gateway.Client.SendAsync(request);

        Assert.Equal("bypass", CacheResult(second));
        Assert.Equal(2, _upstream.Requests.Count);
    }

    [Fact]
    public async Task StreamingClient_GetsTheCachedAnswerReplayedAsEvents()
    {
        using var first = await _gateway.Client.PostAsync("/v1/chat/completions", Chat("Stream me"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = Chat("Stream me", extra: ""","temperature":0,"stream":true,"stream_options":{"include_usage":true}"""),
        };
        using var streamed = await _gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = (await streamed.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("hit", CacheResult(streamed));
        Assert.Equal("text/event-stream", streamed.Content.Headers.ContentType!.MediaType);
        Assert.Equal("data: [DONE]", events[^1]);
        var content = string.Concat(events[..^1].Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement)
            .Where(c => c.GetProperty("choices").GetArrayLength() > 0)
            .Select(c => c.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var t) ? t.GetString() : ""));
        Assert.Equal("ok", content);
        using var usage = JsonDocument.Parse(events[^2]["data: ".Length..]);
        Assert.Equal(2, usage.RootElement.GetProperty("usage").GetProperty("total_tokens").GetInt32());
        Assert.Single(_upstream.Requests);
    }

    [Fact]
    public async Task UpstreamError_IsNotCached()
    {
        _upstream.Status = 503;
        using var failed = await _gateway.Client.PostAsync("/v1/chat/completions", Chat("flaky"));
        _upstream.Status = 200;
        using var retried = await _gateway.Client.PostAsync("/v1/chat/completions", Chat("flaky"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal(("miss", "miss"), (CacheResult(failed), CacheResult(retried)));
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        // The 503 is retried once on the same expert (Resilience:RetriesPerExpert = 1) before it is relayed.
        Assert.Equal(3, _upstream.Requests.Count);
    }

    [Fact]
    public async Task FiftyConcurrentIdenticalRequests_MakeOneUpstreamCall()
    {
        _upstream.ResponseDelay = TimeSpan.FromMilliseconds(300);

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            using var response = await _gateway.Client.PostAsync("/v1/chat/completions", Chat("Everyone asks this at once"));
            return (response.StatusCode, Result: CacheResult(response), Body: await response.Content.ReadAsStringAsync());
        }));

        Assert.Single(_upstream.Requests);
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single(responses, r => r.Result == "miss");
        Assert.Equal(49, responses.Count(r => r.Result == "hit"));
        Assert.Single(responses.Select(r => r.Body).Distinct());
    }

    [Fact]
    public async Task SemanticTenant_ReusesNearDuplicate_ButNeverForNegationOrChangedNumber()
    {
        using var other = _gateway.CreateClient(OtherKey);
        async Task<string> Ask(string prompt)
        {
            using var response = await other.PostAsync("/v1/chat/completions", Chat(prompt));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await SettledAsync(_gateway);
            return CacheResult(response);
        }

        Assert.Equal("miss", await Ask("Is Paris the capital of France?"));
        Assert.Equal("semantic-hit", await Ask("is paris the capital of france"));
        Assert.Equal("miss", await Ask("Is Paris not the capital of France?"));
        Assert.Equal("miss", await Ask("Give me 3 facts about France"));
        Assert.Equal("miss", await Ask("Give me 4 facts about France"));
        // The demo tenant's cache is exact only, and never sees the other tenant's entries.
        using var demo = await _gateway.Client.PostAsync("/v1/chat/completions", Chat("is paris the capital of france"));
        Assert.Equal("miss", CacheResult(demo));
        Assert.Equal(5, _upstream.Requests.Count);
    }
}
