using System.Diagnostics.Metrics;
using ExpertRouter.Gateway.Telemetry;

namespace ExpertRouter.Gateway.Exploration;

/// <summary>Exploration by outcome (sampled, explored, dropped, over budget, …) and what it cost; totals kept for tests.</summary>
public sealed class ExplorationMetrics
{
    private readonly Counter<long> _requests;
    private readonly Counter<double> _cost;
    private long _sampled;
    private long _explored;
    private long _finished;

    public ExplorationMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(GatewayMetrics.MeterName);
        _requests = meter.CreateCounter<long>("expertrouter.exploration.requests", description: "Requests sampled for exploration, by tenant and outcome.");
        _cost = meter.CreateCounter<double>("expertrouter.exploration.cost", "USD", "What exploration calls and judge calls cost, by tenant.");
    }

    public long SampledTotal => Interlocked.Read(ref _sampled);

    public long ExploredTotal => Interlocked.Read(ref _explored);

    /// <summary>Samples done with, whatever became of them (explored, skipped, dropped, failed, unanswered).</summary>
    public long FinishedTotal => Interlocked.Read(ref _finished);

    public void Outcome(string tenant, string outcome)
    {
        if (outcome == "sampled")
        {
            Interlocked.Increment(ref _sampled);
        }
        else
        {
            Interlocked.Increment(ref _finished);
            if (outcome == "explored")
            {
                Interlocked.Increment(ref _explored);
            }
        }

        _requests.Add(1, new("tenant", tenant), new("outcome", outcome));
    }

    public void Cost(string tenant, double usd) => _cost.Add(usd, new KeyValuePair<string, object?>("tenant", tenant));
}
