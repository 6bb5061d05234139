using System.Text.Json;
using ExpertRouter.Core.Feedback;
using ExpertRouter.Core.Telemetry;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Routing;
using Microsoft.Extensions.Options;

namespace ExpertRouter.Gateway.RequestLog;

/// <summary>
/// The request log's one reader: takes what is queued in batches, asks the tenants' shadow routers for their choice
/// (concurrently, so a router's micro-batcher sees them together), builds and serialises the records, writes them to
/// the sink, and publishes the batch's request ids to Redis for feedback on other replicas. A failing sink loses its
/// batch (counted); a stalled one only stalls this worker, and the queue then drops.
/// </summary>
internal sealed partial class RequestLogWorker(
    RequestLogQueue queue, IRequestLogSink sink, ShadowRouting shadows, RequestLogMetrics metrics, IOptions<GatewayOptions> options, TimeProvider time,
    ILogger<RequestLogWorker> logger) : BackgroundService
{
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(2);
    private readonly int _batchSize = options.Value.RequestLog.BatchSize;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<LogItem>(_batchSize);
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                Take(batch);
                await WriteAsync(batch, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is still queued is written below, within a bound.
        }

        // What was queued before shutdown is written, but a stalled sink must not hold the host's shutdown.
        queue.Complete();
        using var drain = new CancellationTokenSource(DrainLimit, time);
        try
        {
            while (!drain.IsCancellationRequested && Take(batch) > 0)
            {
                await WriteAsync(batch, drain.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The bound passed: the rest is lost, as it would be in a crash.
        }
        finally
        {
            (sink as IDisposable)?.Dispose();
        }
    }

    private int Take(List<LogItem> batch)
    {
        batch.Clear();
        while (batch.Count < _batchSize && queue.Reader.TryRead(out var item))
        {
            batch.Add(item);
        }

        return batch.Count;
    }

    private async Task WriteAsync(List<LogItem> batch, CancellationToken cancellationToken)
    {
        var lines = new List<LogLine>(batch.Count);
        var ids = new List<(string Tenant, string Id)>();
        var shadowed = new Task<LoggedShadow?>?[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch[i] is RequestLogEntry { Plan: { } plan } entry && entry.Tenant.ShadowRouter is not null)
            {
                shadowed[i] = shadows.PredictAsync(entry.Tenant, plan, entry.Request.Prompt, entry.Request.PromptTokens, cancellationToken).AsTask();
            }
        }

        for (var i = 0; i < batch.Count; i++)
        {
            switch (batch[i])
            {
                case RequestLogEntry entry:
                    var shadow = shadowed[i] is { } pending ? await pending : null;
                    var record = RequestRecordBuilder.Build(entry, shadow);
                    lines.Add(new LogLine(LogStream.Requests, entry.Tenant.Id, RequestLogRecord.RequestKind, JsonSerializer.SerializeToUtf8Bytes(record, RequestLogJson.Default.RequestLogRecord)));
                    ids.Add((entry.Tenant.Id, entry.RequestId));
                    break;
                case FeedbackItem feedback:
                    lines.Add(new LogLine(LogStream.Requests, feedback.Record.Tenant, RequestLogRecord.FeedbackKind, JsonSerializer.SerializeToUtf8Bytes(feedback.Record, RequestLogJson.Default.RequestLogRecord)));
                    break;
                case ExplorationItem exploration:
                    lines.Add(new LogLine(LogStream.Exploration, exploration.Record.Tenant, ExplorationRecord.BenchmarkName, JsonSerializer.SerializeToUtf8Bytes(exploration.Record, RequestLogJson.Default.ExplorationRecord)));
                    break;
            }
        }

        try
        {
            // A sink that ignores cancellation still lets the worker stop.
            await sink.WriteAsync(lines, cancellationToken).AsTask().WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            metrics.Dropped("sink_failed", lines.Count);
            Log.WriteFailed(logger, lines.Count, ex);
        }

        if (!await queue.Index.PublishAsync(ids, cancellationToken))
        {
            Log.IndexFailed(logger, ids.Count);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.RequestLogWriteFailed, Level = LogLevel.Error, Message = "{Count} request log records could not be written and were dropped.")]
        public static partial void WriteFailed(ILogger logger, int count, Exception exception);

        [LoggerMessage(EventId = LogEvents.RequestLogIndexFailed, Level = LogLevel.Debug, Message = "{Count} request ids were not published to Redis; feedback for them works on this replica only.")]
        public static partial void IndexFailed(ILogger logger, int count);
    }
}
