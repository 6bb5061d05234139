using System.Net;
using System.Text;
using System.Text.Json;
using ExpertRouter.Core.Tenants;

namespace ExpertRouter.Gateway.Tests.Functional;

/// <summary>
/// The Responses API and Anthropic Messages are front doors to the same routing: routed, cached, budgeted and
/// accounted like chat, answered (and refused) in their own shapes.
/// </summary>
public sealed class ClientProtocolTests : IAsyncLifetime
{
    private const string BudgetKey = "sk-protocols-spent";
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync() => _gateway = await new GatewayBuilder()
        .Tenant("demo", GatewayHost.DemoKey, router: "irt-ze12")
        .Tenant("spent", BudgetKey, policy: ("Budget:DailyUsd", "0.0000000001"))
        .StartAsync();

    public Task DisposeAsync() => _gateway.DisposeAsync().AsTask();

    [Fact]
    public async Task Responses_Plain_IsRoutedLikeChat_AndAnsweredAsAResponse()
    {
        using var response = await _gateway.Client.PostAsync("/v1/responses", Json("""{"model":"auto","input":"What is 17 * 23?"}"""));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("response", "completed"), (body.RootElement.GetProperty("object").GetString(), body.RootElement.GetProperty("status").GetString()));
        Assert.StartsWith("resp_", body.RootElement.GetProperty("id").GetString());
        Assert.Equal("irt-ze12", response.Headers.GetValues("x-expertrouter-router").Single());
        Assert.Equal(body.RootElement.GetProperty("model").GetString(), response.Headers.GetValues("x-expertrouter-expert").Single());
        Assert.True(body.RootElement.GetProperty("usage").GetProperty("output_tokens").GetInt32() > 0);
    }

    [Fact]
    public async Task Responses_Streamed_IsTheTypedEventSequence()
    {
        using var response = await _gateway.Client.PostAsync("/v1/responses", Json("""{"model":"auto","input":"hi","stream":true}"""));
        var events = (await response.Content.ReadAsStringAsync()).Split('\n').Where(l => l.StartsWith("event: ", StringComparison.Ordinal)).Select(l => l[7..]).ToArray();

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("response.created", events[0]);
        Assert.Contains("response.output_text.delta", events);
        Assert.Equal("response.completed", events[^1]);
    }

    [Fact]
    public async Task Responses_PreviousResponseId_ContinuesOnlyTheTenantsOwnResponse()
    {
        using var first = await _gateway.Client.PostAsync("/v1/responses", Json("""{"model":"auto","input":"Remember 42."}"""));
        var id = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();

        using var continued = await _gateway.Client.PostAsync("/v1/responses", Json($$"""{"model":"auto","input":"And now?","previous_response_id":"{{id}}"}"""));
        using var otherTenant = await _gateway.CreateClient(BudgetKey).PostAsync("/v1/responses", Json($$"""{"model":"auto","input":"And now?","previous_response_id":"{{id}}"}"""));

        Assert.Equal(HttpStatusCode.OK, continued.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, otherTenant.StatusCode);
        Assert.Contains("previous_response_not_found", await otherTenant.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Responses_UnknownModel_IsTheGatewaysErrorInOpenAIsShape()
    {
        using var response = await _gateway.Client.PostAsync("/v1/responses", Json("""{"model":"nobody","input":"hi"}"""));

        await ErrorAssert.IsEnvelopeAsync(response, HttpStatusCode.NotFound, "model_not_found");
    }

    [Fact]
    public async Task Messages_Plain_WithXApiKey_IsAnAnthropicMessage()
    {
        using var response = await SendMessagesAsync(GatewayHost.DemoKey, """{"model":"auto","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}""");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("message", "assistant", "end_turn"), (body.RootElement.GetProperty("type").GetString(), body.RootElement.GetProperty("role").GetString(), body.RootElement.GetProperty("stop_reason").GetString()));
        Assert.Equal("text", body.RootElement.GetProperty("content")[0].GetProperty("type").GetString());
    }

    [Fact]
    public async Task Messages_Streamed_EndsWithMessageStop()
    {
        using var response = await SendMessagesAsync(GatewayHost.DemoKey, """{"model":"auto","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        var events = (await response.Content.ReadAsStringAsync()).Split('\n').Where(l => l.StartsWith("event: ", StringComparison.Ordinal)).Select(l => l[7..]).ToArray();

        Assert.Equal("message_start", events[0]);
        Assert.Contains("content_block_delta", events);
        Assert.Equal("message_stop", events[^1]);
    }

    [Theory]
    [InlineData("sk-wrong", """{"model":"auto","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}""", HttpStatusCode.Unauthorized, "authentication_error")]
    [InlineData(GatewayHost.DemoKey, """{"model":"nobody","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}""", HttpStatusCode.NotFound, "not_found_error")]
    [InlineData(GatewayHost.DemoKey, """{"model":"auto","messages":[{"role":"user","content":"hi"}]}""", HttpStatusCode.BadRequest, "invalid_request_error")]
    [InlineData(BudgetKey, """{"model":"auto","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}""", HttpStatusCode.TooManyRequests, "rate_limit_error")]
    public async Task Messages_Refusals_AreInAnthropicsShape(string key, string json, HttpStatusCode status, string type)
    {
        using var response = await SendMessagesAsync(key, json);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(("error", type), (body.RootElement.GetProperty("type").GetString(), body.RootElement.GetProperty("error").GetProperty("type").GetString()));
    }

    [Fact]
    public async Task Messages_WithoutAnthropicVersion_Is400()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = Json("""{"model":"auto","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}""") };
        request.Headers.Add("x-api-key", GatewayHost.DemoKey);
        using var response = await _gateway.CreateClient(apiKey: null).SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("anthropic-version", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ModelsRetrieve_FindsAutoAndExperts_AndNotTheUnknown()
    {
        using var auto = await _gateway.Client.GetAsync("/v1/models/auto");
        using var expert = await _gateway.Client.GetAsync("/v1/models/gpt-4o-2024-08-06");
        using var unknown = await _gateway.Client.GetAsync("/v1/models/nobody");

        Assert.Equal("router", JsonDocument.Parse(await auto.Content.ReadAsStringAsync()).RootElement.GetProperty("expertrouter_kind").GetString());
        Assert.Equal("gpt-4o-2024-08-06", JsonDocument.Parse(await expert.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString());
        await ErrorAssert.IsEnvelopeAsync(unknown, HttpStatusCode.NotFound, "model_not_found");
    }

    [Fact]
    public async Task LegacyCompletions_PointsAtChatCompletions()
    {
        using var response = await _gateway.Client.PostAsync("/v1/completions", Json("""{"model":"auto","prompt":"hi"}"""));

        var error = await ErrorAssert.IsEnvelopeAsync(response, HttpStatusCode.NotFound, "not_found");
        Assert.Contains("/v1/chat/completions", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task ChoicesN_AreAllAnswered_AndAnEnsembleRefusesThem()
    {
        using var several = await _gateway.Client.PostAsync("/v1/chat/completions", Json("""{"model":"auto","n":3,"messages":[{"role":"user","content":"hi"}]}"""));
        using var ensemble = await _gateway.Client.PostAsync("/v1/chat/completions", Json("""{"model":"ensemble/vote3","n":2,"messages":[{"role":"user","content":"hi"}]}"""));
        using var bad = await _gateway.Client.PostAsync("/v1/chat/completions", Json("""{"model":"auto","n":0,"messages":[{"role":"user","content":"hi"}]}"""));

        Assert.Equal(3, JsonDocument.Parse(await several.Content.ReadAsStringAsync()).RootElement.GetProperty("choices").GetArrayLength());
        await ErrorAssert.IsEnvelopeAsync(ensemble, HttpStatusCode.BadRequest, "invalid_value");
        await ErrorAssert.IsEnvelopeAsync(bad, HttpStatusCode.BadRequest, "invalid_value");
    }

    private Task<HttpResponseMessage> SendMessagesAsync(string key, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = Json(json) };
        request.Headers.Add("x-api-key", key);
        request.Headers.Add("anthropic-version", "2023-06-01");
        return _gateway.CreateClient(apiKey: null).SendAsync(request);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
