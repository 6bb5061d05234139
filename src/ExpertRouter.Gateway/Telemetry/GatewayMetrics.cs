using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ExpertRouter.Gateway.Telemetry;

/// <summary>
/// The gateway's own instruments. Overhead is measured apart from upstream time so that "the gateway adds no
/// measurable latency" is a number on a dashboard, not a claim.
/// </summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "ExpertRouter.Gateway";

    public static readonly ActivitySource ActivitySource = new(MeterName);

    /// <summary>Status codes boxed once: the request counter's tag is an object, and every request would box its own.</summary>
    private static readonly object[] StatusCodes = [.. Enumerable.Range(0, 600).Select(code => (object)code)];

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _overhead;
    private readonly Histogram<double> _routerDuration;
    private readonly Counter<long> _decisions;
    private readonly Counter<long> _fallbacks;
    private readonly Counter<long> _streamsInterrupted;
    private readonly Counter<double> _costUsd;
    private readonly Counter<long> _ensembleCalls;
    private readonly Counter<long> _shadowDecisions;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("expertrouter.requests", description: "Requests answered, by endpoint, router, expert and status code.");
        _overhead = meter.CreateHistogram<double>("expertrouter.gateway.overhead", "ms", "Time spent in the gateway itself: total time minus time waiting on experts.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100] });
        _routerDuration = meter.CreateHistogram<double>("expertrouter.router.duration", "ms", "Time a router took to predict quality for one request.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50] });
        _decisions = meter.CreateCounter<long>("expertrouter.routing.decisions", description: "Routed requests by router and chosen expert.");
        _fallbacks = meter.CreateCounter<long>("expertrouter.fallbacks", description: "Failed attempts that moved a request to the next expert.");
        _ensembleCalls = meter.CreateCounter<long>("expertrouter.ensemble.calls", description: "Expert calls made by ensembles, by mode, expert, role and status.");
        _costUsd = meter.CreateCounter<double>("expertrouter.cost", "USD", "Settled cost of answered requests, by tenant and expert.");
        _streamsInterrupted = meter.CreateCounter<long>("expertrouter.streams.interrupted", description: "Streams whose expert failed after the first byte.");
        _shadowDecisions = meter.CreateCounter<long>("expertrouter.shadow.decisions", description: "Shadow router predictions on live traffic, by shadow, serving router and agreement.");
    }

    public void Request(string endpoint, string router, string expert, int statusCode, double overheadMs)
    {
        _requests.Add(1, new("endpoint", endpoint), new("router", router), new("expert", expert), new("status_code", (uint)statusCode < StatusCodes.Length ? StatusCodes[statusCode] : statusCode));
        _overhead.Record(overheadMs, new KeyValuePair<string, object?>("endpoint", endpoint));
    }

    public void Routed(string router, string expert, double durationMs)
    {
        _routerDuration.Record(durationMs, new KeyValuePair<string, object?>("router", router));
        _decisions.Add(1, new("router", router), new("expert", expert));
    }

    public void Fallback(string expert, string reason) => _fallbacks.Add(1, new("expert", expert), new("reason", reason));

    public void EnsembleCall(string mode, string expert, string role, string status) =>
        _ensembleCalls.Add(1, new("mode", mode), new("expert", expert), new("role", role), new("status", status));

    public void Cost(string tenant, string expert, double usd) =>
        _costUsd.Add(usd, new KeyValuePair<string, object?>("tenant", tenant), new KeyValuePair<string, object?>("expert", expert));

    public void ShadowDecision(string shadow, string serving, bool agrees) =>
        _shadowDecisions.Add(1, new("shadow", shadow), new("serving", serving), new("agrees", agrees));

    public void StreamInterrupted(string expert) => _streamsInterrupted.Add(1, new KeyValuePair<string, object?>("expert", expert));
}
