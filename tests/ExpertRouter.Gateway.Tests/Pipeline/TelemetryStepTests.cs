using System.Diagnostics.Metrics;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Console.Decisions;
using ExpertRouter.Gateway.Pipeline;
using ExpertRouter.Gateway.Telemetry;
using ExpertRouter.Gateway.Tests.RequestLog;

namespace ExpertRouter.Gateway.Tests.Pipeline;

public sealed class TelemetryStepTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task AnsweredRequest_IsCounted_WithRouterExpertStatusAndCost()
    {
        var measurements = new List<(string Instrument, object Value, Dictionary<string, object?> Tags)>();
        var meters = _services.GetRequiredService<IMeterFactory>();
        using var listener = new MeterListener();
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
        var expert = new ExpertDefinition { Id = "e" };
        var context = StepContext.For(new TenantPolicy { Id = "t" }, """{"model":"auto","messages":[{"role":"user","content":"hi"}]}""", expert);
        var decisions = new DecisionLog(100, enabled: true, TimeProvider.System);
        var step = new TelemetryStep(
            c =>
            {
                c.Response.StatusCode = 200;
                c.Feature().Outcome.Answered = new ExpertScore(expert, 0.5, 0, 0);
                c.Feature().Outcome.Usage = new SettledUsage("e", 1, 2, 0.25);
                return Task.CompletedTask;
            },
            new GatewayMetrics(meters),
            RequestLogs.Disabled(),
            decisions,
            TimeProvider.System);

        await step.InvokeAsync(context);

        var request = Assert.Single(measurements, m => m.Instrument == "expertrouter.requests");
        Assert.Equal(("chat", "test-router", "e", 200), ((string)request.Tags["endpoint"]!, (string)request.Tags["router"]!, (string)request.Tags["expert"]!, (int)request.Tags["status_code"]!));
        Assert.Equal(0.25, (double)Assert.Single(measurements, m => m.Instrument == "expertrouter.cost").Value);
        Assert.Single(measurements, m => m.Instrument == "expertrouter.gateway.overhead");
        var decision = Assert.Single(decisions.Read());
        Assert.Equal(("t", "test-router", "e", 0.25), (decision.TenantId, decision.Router, decision.AnsweredBy, decision.CostUsd));
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
