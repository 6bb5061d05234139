using System.Net;
using System.Text;
using System.Text.Json;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Invocation;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Gateway.Tests.Functional;

/// <summary>
/// One tenant's requests that make an expert answer 500 take the expert away from that tenant only: its own circuit
/// opens while the other tenant keeps being served by the expert and readiness stays unaffected. The shared circuit
/// opens once a second tenant sees such failures too. "c-cheap" is the cheapest of two simulated experts; a
/// per-request simulator fault makes it answer 500, and the fallback "c-next" answers instead.
/// </summary>
public sealed class TenantCircuitTests : IAsyncLifetime
{
    private const string KeyA = "sk-circuit-a";
    private const string KeyB = "sk-circuit-b";
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["ExpertRouter:Resilience:RetriesPerExpert"] = "0",
            ["ExpertRouter:Resilience:CircuitBreaker:MinimumThroughput"] = "2",
        };
        foreach (var (index, id, price) in new[] { (13, "c-cheap", "0.01"), (14, "c-next", "0.02") })
        {
            settings[$"ExpertRouter:Experts:{index}:Id"] = id;
            settings[$"ExpertRouter:Experts:{index}:Simulated"] = "true";
            settings[$"ExpertRouter:Experts:{index}:InputUsdPerMTok"] = price;
            settings[$"ExpertRouter:Experts:{index}:OutputUsdPerMTok"] = price;
        }

        foreach (var (index, id, key) in new[] { (0, "tenant-a", KeyA), (1, "tenant-b", KeyB) })
        {
            settings[$"ExpertRouter:Tenants:{index}:Id"] = id;
            settings[$"ExpertRouter:Tenants:{index}:ApiKeySha256:0"] = ApiKeyHash.Sha256Hex(key);
            settings[$"ExpertRouter:Tenants:{index}:Router"] = "cheapest";
            settings[$"ExpertRouter:Tenants:{index}:AllowedExperts:0"] = "c-cheap";
            settings[$"ExpertRouter:Tenants:{index}:AllowedExperts:1"] = "c-next";
        }

        _gateway = await GatewayBuilder.StartAsync(settings, services => services.AddSingleton<TimeProvider>(_time));
    }

    public Task DisposeAsync() => _gateway.DisposeAsync().AsTask();

    [Fact]
    public async Task ContentFailures_FromOneTenant_OpenOnlyItsOwnCircuit_UntilASecondTenantSeesThemToo()
    {
        var circuits = _gateway.Services.GetRequiredService<ExpertCircuits>();
        for (var i = 0; i < 2; i++)
        {
            using var failing = await PostAsync(KeyA, fault: true);
            Assert.Equal("c-next", Header(failing, "x-expertrouter-expert"));
            Assert.Equal("c-cheap;HTTP 500", Header(failing, "x-expertrouter-fallbacks"));
        }

        using (var skipped = await PostAsync(KeyA, fault: false))
        {
            Assert.Equal("c-next", Header(skipped, "x-expertrouter-expert"));
            Assert.False(skipped.Headers.Contains("x-expertrouter-fallbacks"));
        }

        using (var other = await PostAsync(KeyB, fault: false))
        {
            Assert.Equal("c-cheap", Header(other, "x-expertrouter-expert"));
        }

        Assert.Equal(CircuitState.Open, circuits.StateOf("c-cheap", "tenant-a"));
        Assert.Equal(CircuitState.Closed, circuits.StateOf("c-cheap", "tenant-b"));
        Assert.Equal(CircuitState.Closed, circuits.StateOf("c-cheap"));
        Assert.Equal("Healthy", await CircuitsReadinessAsync());

        // Now the second tenant's requests fail the same way: the failures are the expert's, not one tenant's.
        using (var failing = await PostAsync(KeyB, fault: true))
        {
            Assert.Equal("c-cheap;HTTP 500", Header(failing, "x-expertrouter-fallbacks"));
        }

        Assert.Equal(CircuitState.Open, circuits.StateOf("c-cheap"));
        Assert.Equal("Degraded", await CircuitsReadinessAsync());
    }

    private async Task<string?> CircuitsReadinessAsync()
    {
        using var ready = await _gateway.CreateClient(apiKey: null).GetAsync("/readyz");
        using var report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        return report.RootElement.GetProperty("checks").GetProperty("circuits").GetProperty("status").GetString();
    }

    private async Task<HttpResponseMessage> PostAsync(string key, bool fault)
    {
        using var client = _gateway.CreateClient(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"auto","messages":[{"role":"user","content":"x"}]}""", Encoding.UTF8, "application/json"),
        };
        if (fault)
        {
            request.Headers.Add("x-simulator-fault", "status;code=500");
        }

        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }

    private static string Header(HttpResponseMessage response, string name) => response.Headers.GetValues(name).Single();
}
