using System.Diagnostics.Metrics;
using ExpertRouter.Gateway.Telemetry;

namespace ExpertRouter.Gateway.Capacity;

/// <summary>
/// The capacity instruments (meter <c>ExpertRouter.Gateway</c>): passes for capacity and latency, requests refused
/// because every expert was over capacity, provider limits seen, first-token latency per expert, and quota calls
/// counted in process during a Redis fault. The quota-use and p90 gauges are observed from the tracker.
/// </summary>
public sealed class CapacityMetrics
{
    private readonly Meter _meter;
    private readonly Counter<long> _passes;
    private readonly Counter<long> _refusals;
    private readonly Counter<long> _providerLimited;
    private readonly Counter<long> _degraded;
    private readonly Histogram<double> _firstToken;

    public CapacityMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(GatewayMetrics.MeterName);
        _passes = _meter.CreateCounter<long>("expertrouter.capacity.passes", description: "Experts passed over before a call, by expert, reason (capacity, latency) and stage (plan, call).");
        _refusals = _meter.CreateCounter<long>("expertrouter.capacity.refusals", description: "Requests answered 429 because every expert they may use was over capacity.");
        _providerLimited = _meter.CreateCounter<long>("expertrouter.capacity.provider_limited", description: "Answers whose provider headers (429, Retry-After, a remaining count of 0) kept the expert out, by expert.");
        _degraded = _meter.CreateCounter<long>("expertrouter.capacity.degraded", description: "Quota calls counted in process because Redis was unusable.");
        _firstToken = _meter.CreateHistogram<double>("expertrouter.capacity.first_token", "ms", "Time from sending a call to the first byte of the expert's answer, by expert.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [25, 50, 100, 200, 400, 800, 1_600, 3_200, 6_400, 12_800, 25_600, 60_000] });
    }

    public void Passed(string expert, string reason, string stage) => _passes.Add(1, new("expert", expert), new("reason", reason), new("stage", stage));

    public void Refused() => _refusals.Add(1);

    public void ProviderLimited(string expert) => _providerLimited.Add(1, new KeyValuePair<string, object?>("expert", expert));

    public void Degraded() => _degraded.Add(1);

    public void FirstToken(string expert, double milliseconds) => _firstToken.Record(milliseconds, new KeyValuePair<string, object?>("expert", expert));

    /// <summary>Registers the gauges read from the tracker on each scrape.</summary>
    internal void ObserveGauges(Func<IEnumerable<Measurement<double>>> use, Func<IEnumerable<Measurement<double>>> firstTokenPercentiles)
    {
        _meter.CreateObservableGauge("expertrouter.capacity.use", use, description: "Share of each configured quota in use now (this minute; in flight), by expert, base_url and limit.");
        _meter.CreateObservableGauge("expertrouter.capacity.first_token.recent", firstTokenPercentiles, "ms",
            "Recent first-token latency percentiles per expert (the p90 is what a tenant's maxLatencyMs is compared with).");
    }
}
