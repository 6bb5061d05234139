using System.Diagnostics.Metrics;
using ExpertRouter.Gateway.Telemetry;

namespace ExpertRouter.Gateway.Caching;

/// <summary>The cache's instruments, on the gateway's meter so they reach <c>/metrics</c> with the rest.</summary>
public sealed class CacheMetrics
{
    private readonly Counter<long> _lookups;
    private readonly Counter<double> _savedUsd;
    private readonly Counter<long> _stored;

    public CacheMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(GatewayMetrics.MeterName);
        _lookups = meter.CreateCounter<long>("expertrouter.cache.lookups", description: "Chat requests by cache result (hit, semantic-hit, miss, bypass).");
        _savedUsd = meter.CreateCounter<double>("expertrouter.cache.saved_usd", description: "USD that cache hits would have cost at the cached expert's prices.");
        _stored = meter.CreateCounter<long>("expertrouter.cache.stored", description: "Answers stored in the cache, by store.");
    }

    public void Lookup(string result, string tenant) => _lookups.Add(1, new("result", result), new("tenant", tenant));

    public void Saved(double usd, string tenant, string expert) => _savedUsd.Add(usd, new("tenant", tenant), new("expert", expert));

    public void Stored(string store) => _stored.Add(1, new KeyValuePair<string, object?>("store", store));
}
