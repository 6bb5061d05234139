using System.Net;
using System.Text;

namespace ExpertRouter.Gateway.Tests.Functional;

/// <summary>What an expert that speaks the client's API receives, checked on a recording upstream: the path, the client's body with only <c>model</c> rewritten, and the expert's own credentials in its API's header.</summary>
public sealed class NativeForwardingTests : IAsyncLifetime
{
    private const string KeyVariable = "EXPERTROUTER_TEST_NATIVE_KEY";
    private const string ExpertKey = "sk-native-upstream-secret";
    private RecordingUpstream _upstream = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(KeyVariable, ExpertKey);
        _upstream = await RecordingUpstream.StartAsync();
        _gateway = await new GatewayBuilder()
            .Expert("anth-rec", _upstream.BaseAddress, 1, "anthropic")
            .Expert("resp-rec", _upstream.BaseAddress, 1, "responses")
            .Setting("Experts:13:BackendModel", "claude-backend")
            .Setting("Experts:13:ApiKeyEnvironmentVariable", KeyVariable)
            .Setting("Experts:14:BackendModel", "gpt-backend")
            .Setting("Experts:14:ApiKeyEnvironmentVariable", KeyVariable)
            .StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task Messages_ToAnAnthropicExpert_SendsTheClientsBodyWithXApiKeyAndVersion_AndNeverTheTenantKey()
    {
        const string body = """{"model":"anth-rec","max_tokens":16,"metadata":{"user_id":"u1"},"messages":[{"role":"user","content":"hi"}]}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-api-key", GatewayHost.DemoKey);
        request.Headers.Add("anthropic-version", "2023-06-01");
        request.Headers.Add("anthropic-beta", "tools-2024-05-16");

        using var response = await _gateway.CreateClient(apiKey: null).SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var recorded = Assert.Single(_upstream.Requests);
        Assert.Equal("/v1/messages", recorded.Path);
        Assert.Equal(body.Replace("\"anth-rec\"", "\"claude-backend\"", StringComparison.Ordinal), Encoding.UTF8.GetString(recorded.Body));
        Assert.Equal(ExpertKey, recorded.Headers["x-api-key"]);
        Assert.False(recorded.Headers.ContainsKey("Authorization"));
        Assert.Equal(("2023-06-01", "tools-2024-05-16"), (recorded.Headers["anthropic-version"], recorded.Headers["anthropic-beta"]));
        Assert.DoesNotContain(recorded.Headers.Values, v => v.Contains(GatewayHost.DemoKey, StringComparison.Ordinal));
        Assert.Equal("anth-rec", response.Headers.GetValues("x-expertrouter-expert").Single());
    }

    [Fact]
    public async Task Responses_ToAResponsesExpert_SendsTheClientsBodyWithTheExpertsBearerKey()
    {
        const string body = """{"model":"resp-rec","input":[{"role":"user","content":[{"type":"input_text","text":"hi"}]}],"store":false}""";

        using var response = await _gateway.Client.PostAsync("/v1/responses", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var recorded = Assert.Single(_upstream.Requests);
        Assert.Equal("/v1/responses", recorded.Path);
        Assert.Equal(body.Replace("\"resp-rec\"", "\"gpt-backend\"", StringComparison.Ordinal), Encoding.UTF8.GetString(recorded.Body));
        Assert.Equal("Bearer " + ExpertKey, recorded.Headers["Authorization"]);
        Assert.False(recorded.Headers.ContainsKey("x-api-key"));
        // The recorder answers in chat's shape whatever the path: passed through, it reaches the client as it is.
        Assert.Contains("chat.completion", await response.Content.ReadAsStringAsync());
    }
}
