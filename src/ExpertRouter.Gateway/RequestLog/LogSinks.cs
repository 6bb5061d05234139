using ExpertRouter.Core.Telemetry;

namespace ExpertRouter.Gateway.RequestLog;

/// <summary>
/// The gateway's own sink: the Redis streams when Redis is configured, and the JSONL files for everything else (no
/// Redis, or what Redis did not take while it was down; those are counted as fallbacks).
/// </summary>
internal sealed partial class LogSinks(FileLogSink files, RedisStreamLogSink? redis, RequestLogMetrics metrics, TimeProvider time, ILogger<LogSinks> logger)
    : IRequestLogSink, IDisposable
{
    private DateTimeOffset _lastWarning = DateTimeOffset.MinValue;

    public async ValueTask WriteAsync(IReadOnlyList<LogLine> lines, CancellationToken cancellationToken)
    {
        var rest = lines;
        if (redis is not null)
        {
            rest = await redis.WriteAsync(lines, cancellationToken);
            metrics.Written("redis", lines.Count - rest.Count);
            if (rest.Count > 0)
            {
                metrics.FellBack(rest.Count);
                if (time.GetUtcNow() - _lastWarning > TimeSpan.FromMinutes(1))
                {
                    // Once a minute at most: an outage would otherwise log every batch.
                    _lastWarning = time.GetUtcNow();
                    Log.FellBack(logger, rest.Count);
                }
            }
        }

        if (rest.Count > 0)
        {
            await files.WriteAsync(rest, cancellationToken);
            metrics.Written("file", rest.Count);
        }
    }

    public void Dispose() => files.Dispose();

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.RequestLogFellBack, Level = LogLevel.Warning, Message = "Redis did not take {Count} request log records; they were written to the log files instead.")]
        public static partial void FellBack(ILogger logger, int count);
    }
}
