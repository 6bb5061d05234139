using ExpertRouter.Core.Telemetry;
using ExpertRouter.Gateway.Accounting;

namespace ExpertRouter.Gateway.Caching;

/// <summary>
/// What a cache hit saved, counted the same way wherever a hit is served (a client's call or an ensemble's
/// sub-call): on the savings metric and in the tenant's ledger. The ledger is written after the answer is ready, and
/// a ledger that cannot count the saving never turns a served answer into an error.
/// </summary>
public sealed partial class CacheSavings(CacheMetrics metrics, ITenantAccounting accounting, ILogger<CacheSavings> logger)
{
    public async ValueTask RecordAsync(string tenantId, CacheSaving saving)
    {
        metrics.Saved(saving.SavedUsd, tenantId, saving.Expert);
        try
        {
            await accounting.RecordCacheHitAsync(tenantId, saving, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.NotRecorded(logger, tenantId, saving.Expert, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.CacheSavingNotRecorded, Level = LogLevel.Warning, Message = "Tenant {Tenant}: a cache hit on {Expert} was not recorded in the ledger.")]
        public static partial void NotRecorded(ILogger logger, string tenant, string expert, Exception exception);
    }
}
