using ExpertRouter.Core.Telemetry;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Caching.Semantic.Redis;

/// <summary>
/// The semantic index when the cache uses Redis: vector sets when the server has them, the shared log otherwise.
/// The server is asked once, and again after each reconnect (it may have been replaced by another version). A cache
/// must never fail a request: while Redis is unreachable or refuses a command, entries go to and come from this
/// replica's own index, so semantic hits degrade to this replica's answers or to misses.
/// </summary>
public sealed partial class RedisSemanticIndex : ISemanticIndex
{
    private readonly IConnectionMultiplexer _redis;
    private readonly InProcessSemanticIndex _local;
    private readonly VectorSetSemanticIndex _vectorSets;
    private readonly SharedLogSemanticIndex _sharedLog;
    private readonly ILogger<RedisSemanticIndex> _logger;
    private Task<bool>? _vectorSetsSupported;
    private int _degraded;

    public RedisSemanticIndex(
        IConnectionMultiplexer redis, TimeProvider time, InProcessSemanticIndex local, int maxEntriesPerScope, TimeSpan catchUpInterval,
        ILogger<RedisSemanticIndex> logger)
    {
        _redis = redis;
        _local = local;
        _logger = logger;
        _vectorSets = new VectorSetSemanticIndex(redis, time, maxEntriesPerScope);
        _sharedLog = new SharedLogSemanticIndex(redis, time, local, maxEntriesPerScope, catchUpInterval);
        redis.ConnectionRestored += (_, _) => _vectorSetsSupported = null;
    }

    public string Name => "redis";

    /// <summary>The index in use now (detecting it first when needed); null while Redis is unreachable.</summary>
    public async Task<ISemanticIndex?> ActiveAsync()
    {
        if (!_redis.IsConnected)
        {
            return null;
        }

        var detection = _vectorSetsSupported ??= VectorSetSemanticIndex.SupportedAsync(_redis);
        try
        {
            return await detection.ConfigureAwait(false) ? _vectorSets : _sharedLog;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _vectorSetsSupported = null;
            throw;
        }
    }

    public async ValueTask AddAsync(SemanticEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            if (await ActiveAsync().ConfigureAwait(false) is { } shared)
            {
                await shared.AddAsync(entry, cancellationToken).ConfigureAwait(false);
                Recovered();
                return;
            }
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            Degraded(ex);
        }

        await _local.AddAsync(entry, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<SemanticMatch?> FindAsync(SemanticQuery query, CancellationToken cancellationToken)
    {
        try
        {
            if (await ActiveAsync().ConfigureAwait(false) is { } shared)
            {
                var match = await shared.FindAsync(query, cancellationToken).ConfigureAwait(false);
                Recovered();
                // Entries this replica kept while Redis was away still answer here.
                return match ?? (shared == _vectorSets ? await _local.FindAsync(query, cancellationToken).ConfigureAwait(false) : null);
            }
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            Degraded(ex);
        }

        return await _local.FindAsync(query, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask RemoveAsync(string tenantId, string scope, string key, CancellationToken cancellationToken)
    {
        await _local.RemoveAsync(tenantId, scope, key, cancellationToken).ConfigureAwait(false);
        try
        {
            if (await ActiveAsync().ConfigureAwait(false) is { } shared)
            {
                await shared.RemoveAsync(tenantId, scope, key, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            Degraded(ex);
        }
    }

    private static bool IsRedisFailure(Exception ex) => ex is RedisException or TimeoutException or ObjectDisposedException;

    private void Degraded(Exception ex)
    {
        if (Interlocked.Exchange(ref _degraded, 1) == 0)
        {
            Log.SharedIndexDown(_logger, ex.GetType().Name, ex.Message);
        }
    }

    private void Recovered()
    {
        if (Interlocked.Exchange(ref _degraded, 0) == 1)
        {
            Log.SharedIndexBack(_logger);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.SemanticIndexUnusable, Level = LogLevel.Warning, Message = "Semantic index in Redis unusable ({Error}: {Message}); semantic lookups use this replica's entries until it is back.")]
        public static partial void SharedIndexDown(ILogger logger, string error, string message);

        [LoggerMessage(EventId = LogEvents.SemanticIndexUsable, Level = LogLevel.Information, Message = "Semantic index in Redis is usable again.")]
        public static partial void SharedIndexBack(ILogger logger);
    }
}
