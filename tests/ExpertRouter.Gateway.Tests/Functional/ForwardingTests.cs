using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ExpertRouter.Gateway.Tests.Functional;

/// <summary>What an expert receives through the gateway, checked on a recording upstream.</summary>
public sealed class ForwardingTests : IAsyncLifetime
{
    private const string KeyVariable = "EXPERTROUTER_TEST_RECORDER_KEY";
    private RecordingUpstream _first = null!;
    private RecordingUpstream _second = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(KeyVariable, "sk-upstream-secret");
        _first = await RecordingUpstream.StartAsync();
        _second = await RecordingUpstream.StartAsync();
        // Appended after the shipped experts (indexes 0–12) of appsettings.json.
        _gateway = await GatewayBuilder.StartAsync(new Dictionary<string, string?>
        {
            ["ExpertRouter:Experts:13:Id"] = "recorder",
            ["ExpertRouter:Experts:13:BackendModel"] = "vendor/model-v2",
            ["ExpertRouter:Experts:13:ApiKeyEnvironmentVariable"] = KeyVariable,
            ["ExpertRouter:Experts:13:BaseUrls:0"] = _first.BaseAddress.ToString(),
            ["ExpertRouter:Experts:13:BaseUrls:1"] = _second.BaseAddress.ToString(),
            ["ExpertRouter:Experts:14:Id"] = "unreachable",
            ["ExpertRouter:Experts:14:BaseUrls:0"] = $"http://127.0.0.1:{FreePort()}/v1",
        });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _first.DisposeAsync();
        await _second.DisposeAsync();
    }

    [Fact]
    public async Task Forward_RewritesOnlyTheModelName_AndKeepsUnknownFieldsByteForByte()
    {
        const string original = """{"temperature":0.2,"model" : "recorder","messages":[{"role":"user","content":"héllo \u00e9"}],"response_format":{"type":"json_object"},"tool_choice":"auto","tools":[{"type":"function","function":{"name":"f","parameters":{}}}],"x_vendor_extension":{"n":1.50}}""";

        using var response = await _gateway.Client.PostAsync("/v1/chat/completions", new StringContent(original, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = _first.Requests.Concat(_second.Requests).Single();
        var expected = original.Replace("\"recorder\"", "\"vendor/model-v2\"");
        Assert.Equal(expected, Encoding.UTF8.GetString(received.Body));
        Assert.Equal(Encoding.UTF8.GetByteCount(expected), received.ContentLength);
        Assert.Equal("/v1/chat/completions", received.Path);
    }

    [Fact]
    public async Task Forward_ReplacesTenantKeyWithExpertKey_AndPassesRequestId()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"recorder","messages":[{"role":"user","content":"x"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-request-id", "rid-42");

        using var response = await _gateway.Client.SendAsync(request);

        var received = _first.Requests.Concat(_second.Requests).Single();
        Assert.Equal("Bearer sk-upstream-secret", received.Headers["Authorization"]);
        Assert.DoesNotContain(received.Headers.Values, v => v.Contains(GatewayHost.DemoKey, StringComparison.Ordinal));
        Assert.Equal("rid-42", received.Headers["x-request-id"]);
        // The gateway's id wins over the upstream's own on the way back.
        Assert.Equal("rid-42", response.Headers.GetValues("x-request-id").Single());
    }

    [Fact]
    public async Task Forward_SeveralBaseUrls_AreLoadBalanced()
    {
        for (var i = 0; i < 20; i++)
        {
            using var response = await _gateway.Client.PostAsync("/v1/chat/completions",
                new StringContent("""{"model":"recorder","messages":[{"role":"user","content":"x"}]}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(20, _first.Requests.Count + _second.Requests.Count);
        Assert.NotEmpty(_first.Requests);
        Assert.NotEmpty(_second.Requests);
    }

    [Fact]
    public async Task Forward_UnreachableExpert_Is502Envelope()
    {
        using var response = await _gateway.Client.PostAsync("/v1/chat/completions",
            new StringContent("""{"model":"unreachable","messages":[{"role":"user","content":"x"}]}""", Encoding.UTF8, "application/json"));

        await ErrorAssert.IsEnvelopeAsync(response, HttpStatusCode.BadGateway, "upstream_error");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
