using System.Net;
using System.Text;

namespace ExpertRouter.Gateway.Tests.Functional;

public sealed class ActiveHealthAndTraceTests
{
    [Fact]
    public async Task ActiveProbeFails_ExpertIsSkippedEvenThoughItAnswersChat()
    {
        // The recording upstream answers chat but has no GET /v1/models, so YARP's active probes mark it unhealthy.
        await using var unprobed = await RecordingUpstream.StartAsync();
        await using var gateway = await GatewayBuilder.StartAsync(new Dictionary<string, string?>
        {
            ["ExpertRouter:Resilience:ActiveHealthCheck:Enabled"] = "true",
            ["ExpertRouter:Resilience:ActiveHealthCheck:IntervalSeconds"] = "0.1",
            ["ExpertRouter:Experts:13:Id"] = "unprobed",
            ["ExpertRouter:Experts:13:BaseUrls:0"] = unprobed.BaseAddress.ToString(),
            ["ExpertRouter:Experts:13:InputUsdPerMTok"] = "0",
            ["ExpertRouter:Experts:13:OutputUsdPerMTok"] = "0",
        });

        // Probes run in the background; wait (bounded) for them to take the destination out.
        var expert = "unprobed";
        for (var i = 0; i < 100 && expert == "unprobed"; i++)
        {
            await Task.Delay(100);
            using var response = await PostAsync(gateway.Client, "router/cheapest");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            expert = response.Headers.GetValues("x-expertrouter-expert").Single();
        }

        var before = unprobed.Requests.Count;
        using (var next = await PostAsync(gateway.Client, "router/cheapest"))
        {
            Assert.NotEqual("unprobed", next.Headers.GetValues("x-expertrouter-expert").Single());
        }

        Assert.NotEqual("unprobed", expert);
        Assert.Equal(before, unprobed.Requests.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task IncomingTraceparent_ReachesExpertWithSameTraceId(bool logging)
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var gateway = await GatewayBuilder.StartAsync(TracedExpert(upstream), logging: logging ? new EveryLevelLoggerProvider() : null);
        const string traceId = "0af7651916cd43dd8448eb211c80319c";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"traced","messages":[{"role":"user","content":"x"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-b7ad6b7169203331-01");

        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(upstream.Requests);
        var parts = received.Headers["traceparent"].Split('-');
        // Same trace. The parent is the caller's span while tracing is off (no OTLP collector configured) and the
        // gateway's own span when it is on; either way the expert joins the caller's trace.
        Assert.Equal(4, parts.Length);
        Assert.Equal(traceId, parts[1]);
    }

    [Fact]
    public async Task ShippedLogging_StartsNoActivityPerRequest()
    {
        // ASP.NET Core starts an Activity for every request once its hosting logger is enabled at any level, even with
        // no tracer listening; the shipped configuration turns that logger off (bench/README.md: 10% of a request's
        // CPU). An Activity would show here as a traceparent the gateway made up for a caller that sent none.
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var gateway = await GatewayBuilder.StartAsync(TracedExpert(upstream), logging: new EveryLevelLoggerProvider());

        using var response = await PostAsync(gateway.Client, "traced");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(Assert.Single(upstream.Requests).Headers.ContainsKey("traceparent"));
    }

    [Fact]
    public async Task HostingLoggerOn_StartsAnActivityPerRequest()
    {
        // The control for the test above: with the hosting logger on, the same request reaches the expert in a trace.
        await using var upstream = await RecordingUpstream.StartAsync();
        var settings = TracedExpert(upstream);
        settings["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Warning";
        await using var gateway = await GatewayBuilder.StartAsync(settings, logging: new EveryLevelLoggerProvider());

        using var response = await PostAsync(gateway.Client, "traced");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(4, Assert.Single(upstream.Requests).Headers["traceparent"].Split('-').Length);
    }

    private static Dictionary<string, string?> TracedExpert(RecordingUpstream upstream) => new()
    {
        ["ExpertRouter:Experts:13:Id"] = "traced",
        ["ExpertRouter:Experts:13:BaseUrls:0"] = upstream.BaseAddress.ToString(),
    };

    /// <summary>Enabled at every level and writes nothing: the configuration's filters alone decide what is on.</summary>
    private sealed class EveryLevelLoggerProvider : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }

        public void Dispose()
        {
        }
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string model) =>
        client.PostAsync("/v1/chat/completions", new StringContent(
            $$"""{"model":"{{model}}","messages":[{"role":"user","content":"x"}]}""", Encoding.UTF8, "application/json"));
}
