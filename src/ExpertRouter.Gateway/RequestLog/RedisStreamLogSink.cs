using ExpertRouter.Gateway.Configuration;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.RequestLog;

/// <summary>
/// The request log as Redis streams shared by every replica: <c>XADD &lt;stream&gt; MAXLEN ~ n * tenant … kind … json …</c>,
/// one entry per record, a batch pipelined. Lines Redis did not take come back for the file fallback.
/// </summary>
internal sealed class RedisStreamLogSink(IConnectionMultiplexer redis, RequestLogOptions options)
{
    /// <summary>Writes what it can; returns the lines that did not reach Redis (all of them while it is unreachable).</summary>
    public async ValueTask<IReadOnlyList<LogLine>> WriteAsync(IReadOnlyList<LogLine> lines, CancellationToken cancellationToken)
    {
        if (!redis.IsConnected)
        {
            return lines;
        }

        var database = redis.GetDatabase();
        var batch = database.CreateBatch();
        var writes = new Task<RedisValue>?[lines.Count];
        try
        {
            for (var i = 0; i < lines.Count; i++)
            {
                var line = lines[i];
                writes[i] = batch.StreamAddAsync(
                    line.Stream == LogStream.Exploration ? options.ExplorationStream : options.RequestStream,
                    [new NameValueEntry("tenant", line.Tenant), new NameValueEntry("kind", line.Kind), new NameValueEntry("json", line.Json)],
                    maxLength: options.StreamMaxLength,
                    useApproximateMaxLength: true);
            }

            batch.Execute();
            await Task.WhenAll(writes.OfType<Task<RedisValue>>()).WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Some or all writes failed (or were never queued): the ones that did not complete go to the files.
        }

        return [.. lines.Where((_, i) => writes[i] is not { IsCompletedSuccessfully: true })];
    }
}
