using System.Threading.Channels;
using ExpertRouter.Core.Feedback;
using ExpertRouter.Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace ExpertRouter.Gateway.RequestLog;

/// <summary>
/// The request log's front door: a bounded queue the request path writes to without waiting. When it is full the
/// record is dropped and counted: a request never waits or fails for the log. The log's worker is its only reader.
/// </summary>
public sealed class RequestLogQueue
{
    private readonly Channel<LogItem> _channel;
    private readonly RequestIndex _index;
    private readonly RequestLogMetrics _metrics;

    public RequestLogQueue(IOptions<GatewayOptions> options, RequestIndex index, RequestLogMetrics metrics)
    {
        var settings = options.Value.RequestLog;
        Enabled = settings.Enabled;
        _index = index;
        _metrics = metrics;
        _channel = Channel.CreateBounded<LogItem>(new BoundedChannelOptions(settings.QueueCapacity)
        {
            // Wait makes TryWrite report a full queue (DropWrite would drop silently, uncounted); nobody ever waits.
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    /// <summary>False when no log directory is configured: nothing is recorded, feedback and exploration are off.</summary>
    public bool Enabled { get; }

    public RequestIndex Index => _index;

    internal ChannelReader<LogItem> Reader => _channel.Reader;

    /// <summary>
    /// Remembers a request's id for feedback as soon as it is parsed: before any byte of its answer leaves, so a
    /// client holding the answer can always score it (the record itself is queued only after the last byte).
    /// </summary>
    public void Remember(string tenant, string requestId)
    {
        if (Enabled)
        {
            _index.Add(tenant, requestId);
        }
    }

    /// <summary>Queues a completed request; false when the log is off or full (the request is not held either way).</summary>
    public bool TryRecord(RequestLogEntry entry) => Offer(entry);

    public bool TryAppend(RequestLogRecord feedback) => Offer(new FeedbackItem(feedback));

    public bool TryAppend(ExplorationRecord exploration) => Offer(new ExplorationItem(exploration));

    internal void Complete() => _channel.Writer.TryComplete();

    private bool Offer(LogItem item)
    {
        if (!Enabled)
        {
            return false;
        }

        if (_channel.Writer.TryWrite(item))
        {
            return true;
        }

        _metrics.Dropped("queue_full");
        return false;
    }
}
