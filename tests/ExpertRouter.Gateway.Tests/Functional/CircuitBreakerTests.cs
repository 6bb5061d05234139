using System.Net;
using System.Text;
using System.Text.Json;
using ExpertRouter.Gateway.Invocation;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Gateway.Tests.Functional;

/// <summary>
/// "broken" is the cheapest expert (under the cheapest router, asked for by name) and answers 502, a failure of its front door that says
/// it is down for everyone; after two failures its shared circuit opens and routed requests skip it
/// without trying. The gateway runs on a fake clock, so the break ends when the test says so.
/// </summary>
public sealed class CircuitBreakerTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private RecordingUpstream _broken = null!;
    private RecordingUpstream _steady = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _broken = await RecordingUpstream.StartAsync();
        _broken.Status = 502;
        _steady = await RecordingUpstream.StartAsync();
        _gateway = await GatewayBuilder.StartAsync(
            new Dictionary<string, string?>
            {
                ["ExpertRouter:Resilience:RetriesPerExpert"] = "0",
                ["ExpertRouter:Resilience:CircuitBreaker:MinimumThroughput"] = "2",
                ["ExpertRouter:Resilience:CircuitBreaker:BreakSeconds"] = "30",
                ["ExpertRouter:Experts:13:Id"] = "broken",
                ["ExpertRouter:Experts:13:BaseUrls:0"] = _broken.BaseAddress.ToString(),
                ["ExpertRouter:Experts:13:InputUsdPerMTok"] = "0",
                ["ExpertRouter:Experts:13:OutputUsdPerMTok"] = "0",
                ["ExpertRouter:Experts:14:Id"] = "steady",
                ["ExpertRouter:Experts:14:BaseUrls:0"] = _steady.BaseAddress.ToString(),
                ["ExpertRouter:Experts:14:InputUsdPerMTok"] = "0.001",
                ["ExpertRouter:Experts:14:OutputUsdPerMTok"] = "0.001",
            },
            services => services.AddSingleton<TimeProvider>(_time));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _broken.DisposeAsync();
        await _steady.DisposeAsync();
    }

    [Fact]
    public async Task OpenCircuit_SkipsExpert_ThenHalfOpenProbeClosesIt()
    {
        for (var i = 0; i < 2; i++)
        {
            using var failing = await PostAsync();
            Assert.Equal("broken;HTTP 502", failing.Headers.GetValues("x-expertrouter-fallbacks").Single());
        }

        using (var skipped = await PostAsync())
        {
            Assert.Equal("steady", skipped.Headers.GetValues("x-expertrouter-expert").Single());
            Assert.False(skipped.Headers.Contains("x-expertrouter-fallbacks"));
        }

        Assert.Equal(2, _broken.Requests.Count);
        Assert.Matches("expertrouter_circuit_state\\{[^}]*expert=\"broken\"[^}]*\\} 2", await _gateway.ScrapeUntilAsync("expert=\"broken\"} 2"));
        using (var ready = await _gateway.CreateClient(apiKey: null).GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            using var report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
            Assert.Equal("Degraded", report.RootElement.GetProperty("checks").GetProperty("circuits").GetProperty("status").GetString());
        }

        _broken.Status = 200;
        _time.Advance(TimeSpan.FromSeconds(30));
        using (var probe = await PostAsync())
        {
            Assert.Equal("broken", probe.Headers.GetValues("x-expertrouter-expert").Single());
        }

        Assert.Equal(3, _broken.Requests.Count);
        // The client can read the whole answer a moment before the gateway records the probe's verdict.
        var circuits = _gateway.Services.GetRequiredService<ExpertCircuits>();
        for (var i = 0; i < 100 && circuits.StateOf("broken") != CircuitState.Closed; i++)
        {
            await Task.Delay(20);
        }

        Assert.Equal(CircuitState.Closed, circuits.StateOf("broken"));
    }

    private Task<HttpResponseMessage> PostAsync() =>
        _gateway.Client.PostAsync("/v1/chat/completions", new StringContent(
            """{"model":"router/cheapest","messages":[{"role":"user","content":"x"}]}""", Encoding.UTF8, "application/json"));
}
