using System.Net;
using System.Text;
using System.Text.Json;
using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Simulation;

namespace ExpertRouter.Gateway.Tests.Functional;

/// <summary>
/// Experts configured with <c>Apis</c> get Responses and Messages requests in their own API, untranslated both ways,
/// checked at the simulator (requests counted per path); the spend is settled from the native usage. A fallback to a
/// chat-only expert is translated, and chat requests stay chat. Each test has its own tenant, so ledgers do not mix.
/// </summary>
public sealed class NativePassThroughTests : IAsyncLifetime
{
    private const double RespPrice = 1.0;
    private const double AnthPrice = 2.0;
    private SimulatedExpertServer _simulator = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _simulator = await SimulatedExpertServer.StartAsync(new SimulatorOptions
        {
            // Spaced pieces, so the events before the cut reach the client before the reset does.
            Models = new Dictionary<string, SimulatedModelOptions> { ["native-cut"] = new() { PerTokenDelayMs = 100 } },
            Faults =
            [
                new FaultRule { Model = "native-500", Kind = "status", StatusCode = 500 },
                new FaultRule { Model = "native-400", Kind = "status", StatusCode = 400 },
                new FaultRule { Model = "native-cut", Kind = "midstream-cut", AfterChunks = 7 },
            ],
        });
        var simulator = _simulator.BaseAddress;
        var builder = new GatewayBuilder()
            .Expert("native-resp", simulator, RespPrice, "responses")
            .Expert("native-resp2", simulator, RespPrice, "responses")
            .Expert("native-chat", simulator, RespPrice, "responses")
            .Expert("native-cache", simulator, RespPrice, "responses")
            .Expert("native-anth", simulator, AnthPrice, "anthropic")
            .Expert("native-anth2", simulator, AnthPrice, "anthropic")
            .Expert("native-500", simulator, 0, "responses", "anthropic")
            .Expert("native-400", simulator, 0, "responses", "anthropic")
            .Expert("native-cut", simulator, 0, "responses", "anthropic")
            .Expert("chat-steady", simulator, 0.001);
        foreach (var (tenant, expert) in Tenants)
        {
            builder.Tenant(tenant, Key(tenant), "cheapest", expert == "chat-steady" ? ["native-500", "chat-steady"] : [expert]);
        }

        _gateway = await builder.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    private static (string Tenant, string Expert)[] Tenants =>
    [
        ("resp-plain", "native-resp"), ("resp-stream", "native-resp2"), ("resp-chat", "native-chat"), ("resp-cache", "native-cache"),
        ("anth-plain", "native-anth"), ("anth-stream", "native-anth2"),
        ("fallback-resp", "chat-steady"), ("fallback-anth", "chat-steady"),
        ("error-400", "native-400"), ("cut", "native-cut"),
    ];

    [Fact]
    public async Task Responses_ToAResponsesExpert_IsPassedThrough_AndSettledFromItsUsage()
    {
        using var response = await PostResponsesAsync("resp-plain", """{"model":"auto","input":"What is 17 * 23?"}""");
        var text = await response.Content.ReadAsStringAsync();
        using var body = JsonDocument.Parse(text);
        var usage = body.RootElement.GetProperty("usage");

        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal(1, _simulator.RequestCount("native-resp", "/v1/responses"));
        Assert.Equal(0, _simulator.RequestCount("native-resp", "/v1/chat/completions"));
        // The model is the expert's backend name (the body's "auto" was rewritten), as the expert itself answered.
        Assert.Equal(("response", "native-resp"), (body.RootElement.GetProperty("object").GetString(), body.RootElement.GetProperty("model").GetString()));
        Assert.Equal("native-resp", response.Headers.GetValues("x-expertrouter-expert").Single());
        Assert.Equal("cheapest", response.Headers.GetValues("x-expertrouter-router").Single());
        await AssertSettledAsync("resp-plain", "native-resp", usage.GetProperty("input_tokens").GetInt64(), usage.GetProperty("output_tokens").GetInt64(), RespPrice);
    }

    [Fact]
    public async Task Responses_Streamed_ToAResponsesExpert_IsTheExpertsStream_AndSettledFromResponseCompleted()
    {
        using var response = await PostResponsesAsync("resp-stream", """{"model":"auto","input":"hi","stream":true}""");
        var events = Events(await response.Content.ReadAsStringAsync());
        var completed = events[^1].Data.RootElement.GetProperty("response");
        var usage = completed.GetProperty("usage");

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(1, _simulator.RequestCount("native-resp2", "/v1/responses"));
        Assert.Equal(("response.created", "response.completed"), (events[0].Name, events[^1].Name));
        Assert.Contains(events, e => e.Name == "response.output_text.delta");
        Assert.Equal("native-resp2", completed.GetProperty("model").GetString());
        await AssertSettledAsync("resp-stream", "native-resp2", usage.GetProperty("input_tokens").GetInt64(), usage.GetProperty("output_tokens").GetInt64(), RespPrice);
    }

    [Fact]
    public async Task Messages_ToAnAnthropicExpert_IsPassedThrough_AndSettledFromItsUsage()
    {
        using var response = await PostMessagesAsync("anth-plain", """{"model":"auto","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}""");
        var text = await response.Content.ReadAsStringAsync();
        using var body = JsonDocument.Parse(text);
        var usage = body.RootElement.GetProperty("usage");

        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal(1, _simulator.RequestCount("native-anth", "/v1/messages"));
        Assert.Equal(0, _simulator.RequestCount("native-anth", "/v1/chat/completions"));
        Assert.Equal(("message", "native-anth"), (body.RootElement.GetProperty("type").GetString(), body.RootElement.GetProperty("model").GetString()));
        Assert.Equal("native-anth", response.Headers.GetValues("x-expertrouter-expert").Single());
        await AssertSettledAsync("anth-plain", "native-anth", usage.GetProperty("input_tokens").GetInt64(), usage.GetProperty("output_tokens").GetInt64(), AnthPrice);
    }

    [Fact]
    public async Task Messages_Streamed_ToAnAnthropicExpert_IsTheExpertsStream_AndSettledFromStartAndDelta()
    {
        using var response = await PostMessagesAsync("anth-stream", """{"model":"auto","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        var events = Events(await response.Content.ReadAsStringAsync());
        var input = events[0].Data.RootElement.GetProperty("message").GetProperty("usage").GetProperty("input_tokens").GetInt64();
        var output = events.Last(e => e.Name == "message_delta").Data.RootElement.GetProperty("usage").GetProperty("output_tokens").GetInt64();

        Assert.Equal(1, _simulator.RequestCount("native-anth2", "/v1/messages"));
        Assert.Equal(("message_start", "message_stop"), (events[0].Name, events[^1].Name));
        Assert.Equal("native-anth2", events[0].Data.RootElement.GetProperty("message").GetProperty("model").GetString());
        await AssertSettledAsync("anth-stream", "native-anth2", input, output, AnthPrice);
    }

    [Theory]
    [InlineData("fallback-resp", "/v1/responses", "response", "object")]
    [InlineData("fallback-anth", "/v1/messages", "message", "type")]
    public async Task FailingNativeExpert_FallsBackToAChatExpert_WhoseAnswerIsTranslated(string tenant, string path, string kind, string field)
    {
        var before = _simulator.RequestCount("native-500", path);
        using var response = path == "/v1/responses"
            ? await PostResponsesAsync(tenant, """{"model":"auto","input":"hello there"}""")
            : await PostMessagesAsync(tenant, """{"model":"auto","max_tokens":64,"messages":[{"role":"user","content":"hello there"}]}""");
        var text = await response.Content.ReadAsStringAsync();
        using var body = JsonDocument.Parse(text);

        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal(before + 1, _simulator.RequestCount("native-500", path));
        Assert.Equal("chat-steady", response.Headers.GetValues("x-expertrouter-expert").Single());
        Assert.Equal("native-500;HTTP 500", response.Headers.GetValues("x-expertrouter-fallbacks").Single());
        Assert.Equal(kind, body.RootElement.GetProperty(field).GetString());
        // The translator names the answer with the gateway's own ids.
        Assert.StartsWith(kind == "response" ? "resp_" : "msg_", body.RootElement.GetProperty("id").GetString());
        Assert.True(_simulator.RequestCount("chat-steady", "/v1/chat/completions") > 0);
    }

    [Fact]
    public async Task ChatRequest_ToAResponsesExpert_StaysChat()
    {
        using var response = await _gateway.CreateClient(Key("resp-chat")).PostAsync(
            "/v1/chat/completions", Json("""{"model":"auto","messages":[{"role":"user","content":"hi"}]}"""));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("chat.completion", body.RootElement.GetProperty("object").GetString());
        Assert.Equal(1, _simulator.RequestCount("native-chat", "/v1/chat/completions"));
        Assert.Equal(0, _simulator.RequestCount("native-chat", "/v1/responses"));
    }

    [Fact]
    public async Task PassedThroughAnswers_AreNotCached_SoEachRepeatReachesTheExpert()
    {
        const string request = """{"model":"auto","input":"cache me","temperature":0}""";
        using var first = await PostResponsesAsync("resp-cache", request);
        await CacheTestRequests.SettledAsync(_gateway);
        using var second = await PostResponsesAsync("resp-cache", request);
        using var body = JsonDocument.Parse(await second.Content.ReadAsStringAsync());

        Assert.Equal(2, _simulator.RequestCount("native-cache", "/v1/responses"));
        Assert.NotEqual("hit", CacheTestRequests.CacheResult(second));
        Assert.Equal("response", body.RootElement.GetProperty("object").GetString());
    }

    [Fact]
    public async Task NativeErrors_ReachTheClientInTheProtocolsShape_WithTheirStatus()
    {
        using var responses = await PostResponsesAsync("error-400", """{"model":"auto","input":"hi"}""");
        using var messages = await PostMessagesAsync("error-400", """{"model":"auto","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}""");
        using var openAI = JsonDocument.Parse(await responses.Content.ReadAsStringAsync());
        using var anthropic = JsonDocument.Parse(await messages.Content.ReadAsStringAsync());

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (responses.StatusCode, messages.StatusCode));
        Assert.Equal(1, _simulator.RequestCount("native-400", "/v1/responses"));
        Assert.Equal(1, _simulator.RequestCount("native-400", "/v1/messages"));
        Assert.Equal(JsonValueKind.String, openAI.RootElement.GetProperty("error").GetProperty("message").ValueKind);
        Assert.Equal(("error", "invalid_request_error"), (anthropic.RootElement.GetProperty("type").GetString(), anthropic.RootElement.GetProperty("error").GetProperty("type").GetString()));
    }

    [Theory]
    [InlineData("/v1/responses", "response.output_text.delta")]
    [InlineData("/v1/messages", "content_block_delta")]
    public async Task BrokenNativeStream_EndsWithTheProtocolsErrorEvent(string path, string deltaEvent)
    {
        using var response = path == "/v1/responses"
            ? await PostResponsesAsync("cut", """{"model":"auto","input":"tell me a long story","stream":true}""")
            : await PostMessagesAsync("cut", """{"model":"auto","max_tokens":256,"stream":true,"messages":[{"role":"user","content":"tell me a long story"}]}""");
        var events = Events(await response.Content.ReadAsStringAsync());
        var error = events[^1].Data.RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(events, e => e.Name == deltaEvent);
        Assert.Equal(("error", "error"), (events[^1].Name, error.GetProperty("type").GetString()));
        Assert.Contains("native-cut", path == "/v1/responses" ? error.GetProperty("message").GetString() : error.GetProperty("error").GetProperty("message").GetString());
    }

    private async Task AssertSettledAsync(string tenant, string expert, long input, long output, double price)
    {
        var ledger = _gateway.Services.GetRequiredService<ITenantLedger>();
        IReadOnlyList<LedgerEntry> entries = [];
        for (var i = 0; i < 100 && entries.Count == 0; i++)
        {
            entries = [.. (await LedgerAsync(ledger, tenant)).Where(e => e.Expert == expert)];
            await Task.Delay(entries.Count == 0 ? 20 : 0);
        }

        var entry = Assert.Single(entries);
        Assert.True(input > 0 && output > 0);
        Assert.Equal((input, output), (entry.PromptTokens, entry.CompletionTokens));
        Assert.Equal((input + output) * price / 1e6, entry.CostUsd, 9);
        Assert.True((await ledger.GetSpendAsync(tenant)).SpentTodayUsd > 0);
    }

    private static async Task<IReadOnlyList<LedgerEntry>> LedgerAsync(ITenantLedger ledger, string tenant)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        return await ledger.GetLedgerAsync(tenant, today.AddDays(-1), today.AddDays(1));
    }

    private Task<HttpResponseMessage> PostResponsesAsync(string tenant, string json) =>
        _gateway.CreateClient(Key(tenant)).PostAsync("/v1/responses", Json(json));

    private Task<HttpResponseMessage> PostMessagesAsync(string tenant, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = Json(json) };
        request.Headers.Add("x-api-key", Key(tenant));
        request.Headers.Add("anthropic-version", "2023-06-01");
        return _gateway.CreateClient(apiKey: null).SendAsync(request);
    }

    private static List<(string Name, JsonDocument Data)> Events(string stream) =>
        [.. stream.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e.Split('\n'))
            .Where(lines => lines.Any(l => l.StartsWith("event: ", StringComparison.Ordinal)) && lines.Any(l => l.StartsWith("data: ", StringComparison.Ordinal)))
            .Select(lines => (lines.First(l => l.StartsWith("event: ", StringComparison.Ordinal))[7..], JsonDocument.Parse(lines.First(l => l.StartsWith("data: ", StringComparison.Ordinal))[6..])))];

    private static string Key(string tenant) => "sk-native-" + tenant;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
