using ExpertRouter.Core.Telemetry;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Caching.Stores;

/// <summary>
/// A cache must never fail a request: while the shared store is unreachable, entries go to (and come from) the
/// in-process store instead, and the request carries on as a miss at worst.
/// </summary>
public sealed partial class ResilientResponseCacheStore(
    IResponseCacheStore shared,
    Func<bool> sharedAvailable,
    IResponseCacheStore fallback,
    ILogger<ResilientResponseCacheStore> logger) : IResponseCacheStore
{
    private int _degraded;

    public string Name => $"{shared.Name}+{fallback.Name}";

    public async ValueTask<CachedResponse?> GetAsync(string tenantId, string key, CancellationToken cancellationToken)
    {
        if (sharedAvailable())
        {
            try
            {
                var entry = await shared.GetAsync(tenantId, key, cancellationToken);
                Recovered();
                return entry ?? await fallback.GetAsync(tenantId, key, cancellationToken);
            }
            catch (Exception ex) when (IsOutage(ex))
            {
                Degraded(ex);
            }
        }

        return await fallback.GetAsync(tenantId, key, cancellationToken);
    }

    public async ValueTask SetAsync(string tenantId, string key, CachedResponse response, CancellationToken cancellationToken)
    {
        if (sharedAvailable())
        {
            try
            {
                await shared.SetAsync(tenantId, key, response, cancellationToken);
                Recovered();
                return;
            }
            catch (Exception ex) when (IsOutage(ex))
            {
                Degraded(ex);
            }
        }

        await fallback.SetAsync(tenantId, key, response, cancellationToken);
    }

    private static bool IsOutage(Exception ex) => ex is RedisException or TimeoutException or ObjectDisposedException;

    private void Degraded(Exception ex)
    {
        if (Interlocked.Exchange(ref _degraded, 1) == 0)
        {
            Log.SharedStoreDown(logger, shared.Name, ex.GetType().Name);
        }
    }

    private void Recovered()
    {
        if (Interlocked.Exchange(ref _degraded, 0) == 1)
        {
            Log.SharedStoreBack(logger, shared.Name);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.CacheStoreUnreachable, Level = LogLevel.Warning, Message = "Response cache store {Store} is unreachable ({Error}); caching in process until it is back.")]
        public static partial void SharedStoreDown(ILogger logger, string store, string error);

        [LoggerMessage(EventId = LogEvents.CacheStoreReachable, Level = LogLevel.Information, Message = "Response cache store {Store} is reachable again.")]
        public static partial void SharedStoreBack(ILogger logger, string store);
    }
}
