using System.Diagnostics.Metrics;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Console.Decisions;
using ExpertRouter.Gateway.Pipeline;
using ExpertRouter.Gateway.RequestLog;
using ExpertRouter.Gateway.Telemetry;
using ExpertRouter.Gateway.Tests.RequestLog;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Gateway.Tests.Pipeline;

public sealed class TelemetryStepTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    /// <summary>What this test's meters record from now on (other tests' gateways publish instruments of the same name meanwhile).</summary>
    private MeterListener Listen(List<(string Instrument, object Value, Dictionary<string, object?> Tags)> measurements)
    {
        var meters = _services.GetRequiredService<IMeterFactory>();
        var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Only this test's meter: other tests' gateways publish instruments of the same name meanwhile.
            if (instrument.Meter.Name == GatewayMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Add((i.Name, v, Tags(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Add((i.Name, v, Tags(tags))));
        listener.Start();
        return listener;
    }

    private TelemetryStep Step(RequestDelegate next, DecisionLog decisions, RequestLogQueue? log = null, TimeProvider? time = null) =>
        new(next, new GatewayMetrics(_services.GetRequiredService<IMeterFactory>()), log ?? RequestLogs.Disabled(), decisions, time ?? TimeProvider.System);

    [Fact]
    public async Task AnsweredRequest_IsCounted_WithRouterExpertStatusAndCost()
    {
        var measurements = new List<(string Instrument, object Value, Dictionary<string, object?> Tags)>();
        using var listener = Listen(measurements);
        var expert = new ExpertDefinition { Id = "e" };
        var context = StepContext.For(new TenantPolicy { Id = "t" }, """{"model":"auto","messages":[{"role":"user","content":"hi"}]}""", expert);
        var decisions = new DecisionLog(100, enabled: true, TimeProvider.System);
        var step = Step(
            c =>
            {
                c.Response.StatusCode = 200;
                c.Feature().Outcome.Answered = new ExpertScore(expert, 0.5, 0, 0);
                c.Feature().Outcome.Usage = new SettledUsage("e", 1, 2, 0.25);
                return Task.CompletedTask;
            },
            decisions);

        await step.InvokeAsync(context);

        var request = Assert.Single(measurements, m => m.Instrument == "expertrouter.requests");
        Assert.Equal(("chat", "test-router", "e", 200), ((string)request.Tags["endpoint"]!, (string)request.Tags["router"]!, (string)request.Tags["expert"]!, (int)request.Tags["status_code"]!));
        Assert.Equal(0.25, (double)Assert.Single(measurements, m => m.Instrument == "expertrouter.cost").Value);
        Assert.Single(measurements, m => m.Instrument == "expertrouter.gateway.overhead");
        var decision = Assert.Single(decisions.Read());
        Assert.Equal(("t", "test-router", "e", 0.25), (decision.TenantId, decision.Router, decision.AnsweredBy, decision.CostUsd));
    }

    [Fact]
    public async Task RequestRefusedBeforeItHasATenant_IsCountedByItsPath_WithNoRouterExpertOrCost()
    {
        var measurements = new List<(string Instrument, object Value, Dictionary<string, object?> Tags)>();
        using var listener = Listen(measurements);
        var context = StepContext.Post("/v1/chat/completions", "{}");
        var decisions = new DecisionLog(100, enabled: true, TimeProvider.System);

        await Step(c => { c.Response.StatusCode = 401; return Task.CompletedTask; }, decisions).InvokeAsync(context);

        var request = Assert.Single(measurements, m => m.Instrument == "expertrouter.requests");
        Assert.Equal(("/v1/chat/completions", "none", "none", 401), ((string)request.Tags["endpoint"]!, (string)request.Tags["router"]!, (string)request.Tags["expert"]!, (int)request.Tags["status_code"]!));
        Assert.DoesNotContain(measurements, m => m.Instrument == "expertrouter.cost");
        var decision = Assert.Single(decisions.Read());
        Assert.Equal(((string?)null, "/v1/chat/completions", false, 401), (decision.TenantId, decision.Endpoint, decision.Parsed, decision.Status));
    }

    [Fact]
    public async Task Overhead_IsTheTimeNotSpentWaitingOnExperts()
    {
        var measurements = new List<(string Instrument, object Value, Dictionary<string, object?> Tags)>();
        using var listener = Listen(measurements);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        var context = StepContext.For(new TenantPolicy { Id = "t" }, """{"model":"auto","messages":[{"role":"user","content":"hi"}]}""", new ExpertDefinition { Id = "e" });
        var decisions = new DecisionLog(100, enabled: true, time);

        await Step(
            c =>
            {
                time.Advance(TimeSpan.FromMilliseconds(100));
                c.Feature().Outcome.UpstreamTime = TimeSpan.FromMilliseconds(70);
                c.Response.StatusCode = 200;
                return Task.CompletedTask;
            },
            decisions,
            time: time).InvokeAsync(context);

        var overhead = Assert.Single(measurements, m => m.Instrument == "expertrouter.gateway.overhead");
        Assert.Equal(30, (double)overhead.Value, 6);
        Assert.Equal("chat", (string)overhead.Tags["endpoint"]!);
        var decision = Assert.Single(decisions.Read());
        Assert.Equal((100.0, 70.0), (decision.LatencyMs, decision.UpstreamMs));
    }

    [Fact]
    public async Task WithTheLogsOn_AParsedRequestIsQueuedForTheRequestLog_AndOnlyAParsedOne()
    {
        var meters = _services.GetRequiredService<IMeterFactory>();
        var options = new GatewayOptions { RequestLog = new RequestLogOptions { Directory = "/unused" } };
        var log = new RequestLogQueue(Options.Create(options), new RequestIndex(options.RequestLog, TimeProvider.System, null), new RequestLogMetrics(meters));
        var decisions = new DecisionLog(100, enabled: false, TimeProvider.System);
        var expert = new ExpertDefinition { Id = "e" };
        var parsed = StepContext.For(new TenantPolicy { Id = "t" }, """{"model":"auto","messages":[{"role":"user","content":"hi"}]}""", expert);
        var step = Step(
            c =>
            {
                c.Response.StatusCode = 200;
                if (c.Features.Get<IExpertRoutingFeature>() is { } feature)
                {
                    feature.Outcome.Answered = new ExpertScore(expert, 0.5, 0, 0);
                    feature.Outcome.ExplorationRate = 0.25;
                }

                return Task.CompletedTask;
            },
            decisions,
            log);

        await step.InvokeAsync(parsed);
        await step.InvokeAsync(StepContext.Post("/v1/chat/completions", "{}"));

        Assert.True(log.Reader.TryRead(out var item));
        var entry = Assert.IsType<RequestLogEntry>(item);
        Assert.Equal(("req-test", "t", 200, "e", 0.25), (entry.RequestId, entry.Tenant.Id, entry.Status, entry.Answered!.Value.Expert.Id, entry.ExplorationRate));
        Assert.Same(parsed.Feature().Request, entry.Request);
        Assert.False(log.Reader.TryRead(out _));
        Assert.Empty(decisions.Read());
        Assert.Equal(0, decisions.Total);
    }

    private static Dictionary<string, object?> Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        return copy;
    }
}
