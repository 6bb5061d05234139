using System.Collections.Concurrent;
using ExpertRouter.Gateway.Configuration;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.RequestLog;

/// <summary>The answer to "did this tenant make this request?"; <see cref="Unavailable"/> when Redis could not be asked.</summary>
public enum IndexLookup
{
    Found,
    NotFound,
    Unavailable,
}

/// <summary>
/// Which request ids belong to which tenant, for <c>/v1/feedback</c>: written when a request's record is queued, for
/// <see cref="RequestLogOptions.FeedbackWindowHours"/>. In process it is bounded (the oldest ids go first); with Redis,
/// each id is also a key <c>er:{tenant}:req:&lt;id&gt;</c> with that TTL, so any replica can accept the feedback.
/// Keyed by tenant and id together: two tenants may send the same <c>x-request-id</c>, and neither learns of the other.
/// </summary>
public sealed class RequestIndex(RequestLogOptions options, TimeProvider time, IConnectionMultiplexer? redis)
{
    private readonly ConcurrentDictionary<(string Tenant, string Id), DateTimeOffset> _expiry = new();
    private readonly ConcurrentQueue<(string Tenant, string Id)> _order = new();
    private readonly TimeSpan _window = TimeSpan.FromHours(options.FeedbackWindowHours);

    public bool SharedInRedis => redis is not null;

    public void Add(string tenant, string id)
    {
        var now = time.GetUtcNow();
        _expiry[(tenant, id)] = now + _window;
        _order.Enqueue((tenant, id));
        // Trimmed on the way in, a few entries at a time, so no sweep ever runs on the request path.
        for (var i = 0; i < 4 && _order.TryPeek(out var oldest); i++)
        {
            var expired = _expiry.TryGetValue(oldest, out var until) && until <= now;
            if (!expired && _expiry.Count <= options.IndexCapacity)
            {
                break;
            }

            if (_order.TryDequeue(out var removed))
            {
                _expiry.TryRemove(removed, out _);
            }
        }
    }

    public async ValueTask<IndexLookup> ContainsAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        if (_expiry.TryGetValue((tenant, id), out var until) && until > time.GetUtcNow())
        {
            return IndexLookup.Found;
        }

        if (redis is null)
        {
            return IndexLookup.NotFound;
        }

        try
        {
            return await redis.GetDatabase().KeyExistsAsync(Key(tenant, id)).WaitAsync(cancellationToken) ? IndexLookup.Found : IndexLookup.NotFound;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return IndexLookup.Unavailable;
        }
    }

    /// <summary>Publishes ids to Redis, from the log's worker (never the request path); false when Redis did not take them.</summary>
    internal async ValueTask<bool> PublishAsync(IReadOnlyList<(string Tenant, string Id)> ids, CancellationToken cancellationToken)
    {
        if (redis is null || ids.Count == 0)
        {
            return true;
        }

        if (!redis.IsConnected)
        {
            return false;
        }

        var batch = redis.GetDatabase().CreateBatch();
        var writes = ids.Select(i => batch.StringSetAsync(Key(i.Tenant, i.Id), 1, _window)).ToArray();
        batch.Execute();
        try
        {
            await Task.WhenAll(writes).WaitAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>A tenant's keys share its hash tag, as the accounting keys do.</summary>
    public static RedisKey Key(string tenant, string id) => "er:{" + tenant + "}:req:" + id;
}
