using System.Net;
using System.Text;
using System.Text.Json;

namespace ExpertRouter.Gateway.Tests.Functional;

public sealed class ObservabilityTests : IAsyncLifetime
{
    private RecordingUpstream _upstream = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await RecordingUpstream.StartAsync();
        _gateway = await GatewayBuilder.StartAsync(new Dictionary<string, string?>
        {
            ["ExpertRouter:Experts:13:Id"] = "recorder",
            ["ExpertRouter:Experts:13:BaseUrls:0"] = _upstream.BaseAddress.ToString(),
        });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task Healthz_And_Readyz_AnswerWithoutAuth()
    {
        using var anonymous = _gateway.CreateClient(apiKey: null);

        using var alive = await anonymous.GetAsync("/healthz");
        using var ready = await anonymous.GetAsync("/readyz");
        using var report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", report.RootElement.GetProperty("status").GetString());
        Assert.Contains("irt-ze12", report.RootElement.GetProperty("checks").GetProperty("routers").GetProperty("description").GetString());
    }

    [Fact]
    public async Task Metrics_ExposeRequestsOverheadAndDecisions()
    {
        using var response = await _gateway.Client.PostAsync("/v1/chat/completions",
            new StringContent("""{"model":"recorder","messages":[{"role":"user","content":"x"}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // The Prometheus exporter caches a scrape briefly; poll until the request shows up.
        string text = "";
        for (var i = 0; i < 50 && !text.Contains("expertrouter_requests_total{", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
            text = await _gateway.ScrapeAsync();
        }

        Assert.Contains("expertrouter_requests_total{", text);
        Assert.Contains("expert=\"recorder\"", text);
        Assert.Contains("expertrouter_gateway_overhead_milliseconds_bucket", text);
        Assert.Contains("expertrouter_cost_USD_total{", text);
    }
}
