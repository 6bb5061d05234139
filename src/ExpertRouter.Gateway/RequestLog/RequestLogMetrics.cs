using System.Diagnostics.Metrics;
using ExpertRouter.Gateway.Telemetry;

namespace ExpertRouter.Gateway.RequestLog;

/// <summary>
/// What became of the log's records: written (to Redis or a file), fallen back to files while Redis was down, or
/// dropped (queue full, sink failed). The totals are also kept here for <c>/admin/routers</c>' neighbours and tests.
/// </summary>
public sealed class RequestLogMetrics
{
    private readonly Counter<long> _written;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _fallbacks;
    private long _writtenTotal;
    private long _droppedTotal;
    private long _fellBackTotal;

    public RequestLogMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(GatewayMetrics.MeterName);
        _written = meter.CreateCounter<long>("expertrouter.requestlog.records", description: "Request log records written, by sink (redis or file).");
        _dropped = meter.CreateCounter<long>("expertrouter.requestlog.dropped", description: "Request log records dropped, by reason (queue_full, sink_failed): requests never wait for the log.");
        _fallbacks = meter.CreateCounter<long>("expertrouter.requestlog.fallbacks", description: "Records written to the log files because Redis did not take them.");
    }

    public long WrittenTotal => Interlocked.Read(ref _writtenTotal);

    public long DroppedTotal => Interlocked.Read(ref _droppedTotal);

    public long FellBackTotal => Interlocked.Read(ref _fellBackTotal);

    public void Written(string sink, int count)
    {
        if (count > 0)
        {
            Interlocked.Add(ref _writtenTotal, count);
            _written.Add(count, new KeyValuePair<string, object?>("sink", sink));
        }
    }

    public void Dropped(string reason, int count = 1)
    {
        Interlocked.Add(ref _droppedTotal, count);
        _dropped.Add(count, new KeyValuePair<string, object?>("reason", reason));
    }

    public void FellBack(int count)
    {
        Interlocked.Add(ref _fellBackTotal, count);
        _fallbacks.Add(count);
    }
}
