using System.Net;
using System.Text;
using ExpertRouter.Simulation;

namespace ExpertRouter.Gateway.Tests.Functional;

/// <summary>
/// Faults from the simulated experts, through the real gateway: each faulty expert is the cheapest, so routed
/// requests start on it under the cheapest router (asked for by name); "steady" is next in the ranking and answers.
/// </summary>
public sealed class SimulatedFaultTests : IAsyncLifetime
{
    private SimulatedExpertServer _simulator = null!;

    public async Task InitializeAsync() => _simulator = await SimulatedExpertServer.StartAsync(new SimulatorOptions
    {
        // Spaced tokens, so the events before the cut reach the gateway before the reset does (a reset discards
        // unread bytes, and a stream the client never saw is a failure before the first byte: it would fall back).
        Models = new Dictionary<string, SimulatedModelOptions> { ["f-cut"] = new() { PerTokenDelayMs = 100 } },
        Faults =
        [
            new FaultRule { Model = "f500", Kind = "status", StatusCode = 500 },
            new FaultRule { Model = "f429", Kind = "status", StatusCode = 429, RetryAfterSeconds = 1, EveryNth = 2 },
            new FaultRule { Model = "f429-long", Kind = "status", StatusCode = 429, RetryAfterSeconds = 120 },
            new FaultRule { Model = "f-hang", Kind = "delay", DelayMs = 10_000 },
            new FaultRule { Model = "f-reset", Kind = "reset" },
            new FaultRule { Model = "f-reset-too", Kind = "reset" },
            new FaultRule { Model = "f-cut", Kind = "midstream-cut", AfterChunks = 3 },
            new FaultRule { Model = "f-slow", Kind = "slow-stream", DelayMs = 400 },
        ],
    });

    public async Task DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task Status500_FallsBackWithoutRetryingTheSameExpert()
    {
        await using var gateway = await StartGatewayAsync("f500");

        using var response = await PostAsync(gateway, "router/cheapest");

        await AssertAnsweredBySteadyAsync(response, "f500;HTTP 500");
        Assert.Equal(1, _simulator.RequestCount("f500"));
    }

    [Fact]
    public async Task Status429WithRetryAfter_RetriesSameExpertAfterTheWait()
    {
        await using var gateway = await StartGatewayAsync("f429");
        using (var warmUp = await PostAsync(gateway, "router/cheapest"))
        {
            Assert.Equal("f429", warmUp.Headers.GetValues("x-expertrouter-expert").Single());
        }

        // The second request to f429 gets 429 with Retry-After: 1 (within the cap); the retry is the third.
        using var response = await PostAsync(gateway, "router/cheapest");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("f429", response.Headers.GetValues("x-expertrouter-expert").Single());
        Assert.False(response.Headers.Contains("x-expertrouter-fallbacks"));
        Assert.Equal(3, _simulator.RequestCount("f429"));
        Assert.Equal(0, _simulator.RequestCount("steady"));
    }

    [Fact]
    public async Task Status429WithLongRetryAfter_FallsBackAtOnce()
    {
        await using var gateway = await StartGatewayAsync("f429-long");

        using var response = await PostAsync(gateway, "router/cheapest");

        await AssertAnsweredBySteadyAsync(response, "f429-long;HTTP 429");
        Assert.Equal(1, _simulator.RequestCount("f429-long"));
    }

    [Fact]
    public async Task FirstTokenTimeout_FallsBackBeforeFirstByte()
    {
        await using var gateway = await StartGatewayAsync("f-hang", ("FirstTokenSeconds", "0.3"));

        using var response = await PostAsync(gateway, "router/cheapest");

        await AssertAnsweredBySteadyAsync(response, "f-hang;FirstTokenTimeout");
    }

    [Fact]
    public async Task FirstTokenTimeout_NamedExpert_Answers504Envelope()
    {
        await using var gateway = await StartGatewayAsync("f-hang", ("FirstTokenSeconds", "0.3"));

        using var response = await PostAsync(gateway, "f-hang");

        await ErrorAssert.IsEnvelopeAsync(response, HttpStatusCode.GatewayTimeout, "upstream_timeout");
    }

    [Fact]
    public async Task ConnectionReset_RetriesOnceThenFallsBack()
    {
        await using var gateway = await StartGatewayAsync("f-reset");

        using var response = await PostAsync(gateway, "router/cheapest");

        await AssertAnsweredBySteadyAsync(response, "f-reset;Request");
        Assert.Equal(2, _simulator.RequestCount("f-reset"));
    }

    [Fact]
    public async Task EveryAttemptReset_Is502_SayingWhoWasTried()
    {
        // Both experts of the plan reset by configuration: the fault header would reach the first one only.
        await using var gateway = await StartGatewayAsync("f-reset", next: "f-reset-too", maxFallbacks: 1, timeouts: []);

        using var response = await PostAsync(gateway, "router/cheapest");

        await ErrorAssert.IsEnvelopeAsync(response, HttpStatusCode.BadGateway, "upstream_error");
        // Without these a client (and its operator) sees a bare 502 and cannot tell which experts were tried.
        Assert.Equal("f-reset-too", response.Headers.GetValues("x-expertrouter-expert").Single());
        Assert.Equal("f-reset;Request,f-reset-too;Request", response.Headers.GetValues("x-expertrouter-fallbacks").Single());
        Assert.Equal((2, 2), (_simulator.RequestCount("f-reset"), _simulator.RequestCount("f-reset-too")));
    }

    [Fact]
    public async Task MidStreamCut_EndsStreamWithErrorEvent()
    {
        await using var gateway = await StartGatewayAsync("f-cut");

        var (status, text) = await StreamAsync(gateway, "f-cut");

        Assert.Equal(HttpStatusCode.OK, status);
        AssertEndsWithErrorEvent(text);
    }

    [Fact]
    public async Task SlowStream_WithinFirstTokenButOverTotal_EndsWithTimeoutErrorEvent()
    {
        // A chunk every 400 ms, about 2.8 s in all: the first-token bound leaves a loaded machine room for the first
        // chunk (at 0.5 s one CI run failed over to the steady expert, whose stream then ended cleanly), and the total
        // bound falls over a second before the stream's end.
        await using var gateway = await StartGatewayAsync("f-slow", ("FirstTokenSeconds", "1.2"), ("TotalSeconds", "1.6"));

        var (status, text) = await StreamAsync(gateway, "router/cheapest");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("\"delta\"", text);
        var last = AssertEndsWithErrorEvent(text);
        Assert.Contains("TotalTimeout", last);
    }

    private Task<GatewayHost> StartGatewayAsync(string faulty, params (string Name, string Value)[] timeouts) =>
        StartGatewayAsync(faulty, "steady", maxFallbacks: null, timeouts);

    /// <param name="next">The expert ranked second.</param>
    /// <param name="maxFallbacks">Fallbacks after the first attempt (the shipped experts rank after these two); the shipped default when null.</param>
    private async Task<GatewayHost> StartGatewayAsync(string faulty, string next, int? maxFallbacks, (string Name, string Value)[] timeouts)
    {
        var baseUrl = _simulator.BaseAddress.ToString().TrimEnd('/');
        var settings = new Dictionary<string, string?>
        {
            ["ExpertRouter:Resilience:JitterSeed"] = "1",
            ["ExpertRouter:Experts:13:Id"] = faulty,
            ["ExpertRouter:Experts:13:BaseUrls:0"] = baseUrl,
            ["ExpertRouter:Experts:13:InputUsdPerMTok"] = "0",
            ["ExpertRouter:Experts:13:OutputUsdPerMTok"] = "0",
            ["ExpertRouter:Experts:14:Id"] = next,
            ["ExpertRouter:Experts:14:BaseUrls:0"] = baseUrl,
            ["ExpertRouter:Experts:14:InputUsdPerMTok"] = "0.001",
            ["ExpertRouter:Experts:14:OutputUsdPerMTok"] = "0.001",
        };
        foreach (var (name, value) in timeouts)
        {
            settings[$"ExpertRouter:Experts:13:Timeouts:{name}"] = value;
        }

        if (maxFallbacks is { } fallbacks)
        {
            settings["ExpertRouter:MaxFallbacks"] = fallbacks.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return await GatewayBuilder.StartAsync(settings);
    }

    private static Task<HttpResponseMessage> PostAsync(GatewayHost gateway, string model) =>
        gateway.Client.PostAsync("/v1/chat/completions", new StringContent(
            $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hello"}]}""", Encoding.UTF8, "application/json"));

    private static async Task<(HttpStatusCode Status, string Text)> StreamAsync(GatewayHost gateway, string model)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{model}}","stream":true,"messages":[{"role":"user","content":"hello"}]}""", Encoding.UTF8, "application/json"),
        };
        using var response = await gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task AssertAnsweredBySteadyAsync(HttpResponseMessage response, string fallback)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal("steady", response.Headers.GetValues("x-expertrouter-expert").Single());
        Assert.Equal(fallback, response.Headers.GetValues("x-expertrouter-fallbacks").Single());
        Assert.Contains("chat.completion", body);
    }

    private static string AssertEndsWithErrorEvent(string text)
    {
        Assert.DoesNotContain("[DONE]", text);
        var last = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)[^1].Trim();
        Assert.StartsWith("data: {\"error\":", last);
        Assert.Contains("upstream_stream_interrupted", last);
        return last;
    }
}
