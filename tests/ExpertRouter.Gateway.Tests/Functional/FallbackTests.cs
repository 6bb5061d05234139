using System.Net;
using System.Net.Sockets;
using System.Text;
using ExpertRouter.Gateway.Tests.Tenants;

namespace ExpertRouter.Gateway.Tests.Functional;

/// <summary>
/// Three cheap experts rank first under the cheapest router (asked for by name: the shipped default is the IRT router): one unreachable, one answering 503, one healthy.
/// A routed request must reach the healthy one before anything is sent to the client.
/// </summary>
public sealed class FallbackTests : IAsyncLifetime
{
    private RecordingUpstream _flaky = null!;
    private RecordingUpstream _steady = null!;

    public async Task InitializeAsync()
    {
        _flaky = await RecordingUpstream.StartAsync();
        _flaky.Status = 503;
        _steady = await RecordingUpstream.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _flaky.DisposeAsync();
        await _steady.DisposeAsync();
    }

    private Task<GatewayHost> StartGatewayAsync(int maxFallbacks, IReadOnlyDictionary<string, string?>? extra = null) =>
        GatewayBuilder.StartAsync(new Dictionary<string, string?>(extra ?? new Dictionary<string, string?>())
        {
            ["ExpertRouter:MaxFallbacks"] = maxFallbacks.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ExpertRouter:Experts:13:Id"] = "down",
            ["ExpertRouter:Experts:13:BaseUrls:0"] = $"http://127.0.0.1:{FreePort()}/v1",
            ["ExpertRouter:Experts:13:InputUsdPerMTok"] = "0",
            ["ExpertRouter:Experts:13:OutputUsdPerMTok"] = "0",
            ["ExpertRouter:Experts:14:Id"] = "flaky",
            ["ExpertRouter:Experts:14:BaseUrls:0"] = _flaky.BaseAddress.ToString(),
            ["ExpertRouter:Experts:14:InputUsdPerMTok"] = "0.001",
            ["ExpertRouter:Experts:14:OutputUsdPerMTok"] = "0.001",
            ["ExpertRouter:Experts:15:Id"] = "steady",
            ["ExpertRouter:Experts:15:BaseUrls:0"] = _steady.BaseAddress.ToString(),
            ["ExpertRouter:Experts:15:InputUsdPerMTok"] = "0.002",
            ["ExpertRouter:Experts:15:OutputUsdPerMTok"] = "0.002",
        });

    private static StringContent Body(string model) =>
        new($$"""{"model":"{{model}}","messages":[{"role":"user","content":"x"}]}""", Encoding.UTF8, "application/json");

    [Fact]
    public async Task Routed_FailingExperts_FallBackInRankOrderBeforeFirstByte()
    {
        await using var gateway = await StartGatewayAsync(maxFallbacks: 2);

        using var response = await gateway.Client.PostAsync("/v1/chat/completions", Body("router/cheapest"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("steady", response.Headers.GetValues("x-expertrouter-expert").Single());
        var fallbacks = response.Headers.GetValues("x-expertrouter-fallbacks").Single();
        Assert.StartsWith("down;", fallbacks);
        Assert.EndsWith(",flaky;HTTP 503", fallbacks);
        // A 503 is transient: one retry on the same expert (RetriesPerExpert = 1) before falling back.
        Assert.Equal(2, _flaky.Requests.Count);
        var received = Assert.Single(_steady.Requests);
        Assert.Contains("\"model\":\"steady\"", Encoding.UTF8.GetString(received.Body));
        Assert.Contains("\"content\":\"ok\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Routed_FallbacksExhausted_RelaysLastExpertsError()
    {
        await using var gateway = await StartGatewayAsync(maxFallbacks: 1);

        using var response = await gateway.Client.PostAsync("/v1/chat/completions", Body("router/cheapest"));

        var error = await ErrorAssert.IsEnvelopeAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("upstream says 503", error.GetProperty("message").GetString());
        Assert.Empty(_steady.Requests);
    }

    [Fact]
    public async Task Direct_NamedExpert_DoesNotFallBack()
    {
        await using var gateway = await StartGatewayAsync(maxFallbacks: 2);

        using var response = await gateway.Client.PostAsync("/v1/chat/completions", Body("down"));

        await ErrorAssert.IsEnvelopeAsync(response, HttpStatusCode.BadGateway, "upstream_error");
        Assert.Empty(_steady.Requests);
    }

    [Fact]
    public async Task Direct_NamedExpert_FallsBackAlongTheTenantsChain()
    {
        using var policies = new TenantTestPolicies();
        policies.Write("chained", "fallback: [steady]\n", allow: "down, flaky, steady");
        await using var gateway = await StartGatewayAsync(maxFallbacks: 2, policies.Settings());

        using var response = await PostAsTenantAsync(gateway, "chained", "down");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("steady", response.Headers.GetValues("x-expertrouter-expert").Single());
        Assert.StartsWith("down;", response.Headers.GetValues("x-expertrouter-fallbacks").Single());
        Assert.Contains("\"model\":\"steady\"", Encoding.UTF8.GetString(Assert.Single(_steady.Requests).Body));
    }

    [Fact]
    public async Task Routed_TenantsChain_IsTriedBeforeTheRestOfTheRanking()
    {
        using var policies = new TenantTestPolicies();
        policies.Write("chained", "fallback: [steady]\n", allow: "down, flaky, steady");
        await using var gateway = await StartGatewayAsync(maxFallbacks: 1, policies.Settings());

        // The cheapest router ranks down, flaky, steady; the chain moves steady right behind the first choice.
        using var response = await PostAsTenantAsync(gateway, "chained", "router/cheapest");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("steady", response.Headers.GetValues("x-expertrouter-expert").Single());
        Assert.Empty(_flaky.Requests);
    }

    [Fact]
    public async Task Direct_NamedExpert_WithoutAChain_StillDoesNotFallBack()
    {
        using var policies = new TenantTestPolicies();
        policies.Write("plain", allow: "down, flaky, steady");
        await using var gateway = await StartGatewayAsync(maxFallbacks: 2, policies.Settings());

        using var response = await PostAsTenantAsync(gateway, "plain", "down");

        await ErrorAssert.IsEnvelopeAsync(response, HttpStatusCode.BadGateway, "upstream_error");
        Assert.Empty(_steady.Requests);
    }

    private static async Task<HttpResponseMessage> PostAsTenantAsync(GatewayHost gateway, string tenant, string model)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Body(model) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TenantTestPolicies.KeyFor(tenant));
        return await gateway.Client.SendAsync(request);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
