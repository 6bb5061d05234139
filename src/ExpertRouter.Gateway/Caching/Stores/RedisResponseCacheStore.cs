using System.Text.Json;
using System.Text.Json.Serialization;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Caching.Stores;

/// <summary>
/// Entries shared by every replica: one Redis string per answer under <c>er:{tenant}:cache:&lt;key&gt;</c> (the
/// tenant is the hash tag, so one tenant's keys share a cluster slot), removed by Redis at their TTL. Reads also
/// check the entry's own expiry against the injected clock, so expiry behaves the same as in process.
/// </summary>
public sealed class RedisResponseCacheStore(IConnectionMultiplexer redis, TimeProvider time) : IResponseCacheStore
{
    public string Name => "redis";

    public static RedisKey KeyOf(string tenantId, string key) => $"er:{{{tenantId}}}:cache:{key}";

    public async ValueTask<CachedResponse?> GetAsync(string tenantId, string key, CancellationToken cancellationToken)
    {
        var value = await redis.GetDatabase().StringGetAsync(KeyOf(tenantId, key));
        if (value.IsNullOrEmpty)
        {
            return null;
        }

        var entry = JsonSerializer.Deserialize((byte[])value!, CachedResponseJson.Default.CachedResponse);
        return entry is not null && entry.ExpiresAt > time.GetUtcNow() ? entry : null;
    }

    public async ValueTask SetAsync(string tenantId, string key, CachedResponse response, CancellationToken cancellationToken)
    {
        var ttl = response.ExpiresAt - time.GetUtcNow();
        if (ttl <= TimeSpan.Zero)
        {
            return;
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(response, CachedResponseJson.Default.CachedResponse);
        await redis.GetDatabase().StringSetAsync(KeyOf(tenantId, key), json, ttl);
    }
}

[JsonSerializable(typeof(CachedResponse))]
internal sealed partial class CachedResponseJson : JsonSerializerContext;
