using ExpertRouter.Core.Telemetry;
using ExpertRouter.Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace ExpertRouter.Gateway.Exploration;

/// <summary>Explores the queued samples, a few at a time, in the background; a failed exploration is logged and forgotten.</summary>
internal sealed partial class ExplorationWorker(ExplorationQueue queue, Explorer explorer, ExplorationMetrics metrics, IOptions<GatewayOptions> options, ILogger<ExplorationWorker> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Value.Exploration.Concurrency).Select(_ => RunAsync(stoppingToken)));

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var job in queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await explorer.RunAsync(job, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    metrics.Outcome(job.Tenant.Id, "failed");
                    Log.Failed(logger, job.RequestId, job.Tenant.Id, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: samples still queued are not explored (they were never promised to anyone).
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.ExplorationFailed, Level = LogLevel.Warning, Message = "Exploring request {RequestId} of tenant {Tenant} failed.")]
        public static partial void Failed(ILogger logger, string requestId, string tenant, Exception exception);
    }
}
