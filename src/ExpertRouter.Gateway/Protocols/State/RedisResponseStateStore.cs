using System.Text.Json;
using System.Text.Json.Serialization;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Protocols.State;

/// <summary>
/// Stored responses shared by every replica: one Redis string per response under <c>er:{tenant}:resp:&lt;id&gt;</c>
/// (the tenant is the hash tag, so a tenant's keys share a cluster slot), removed by Redis at the TTL. Reads also
/// check the entry's own expiry against the injected clock, so expiry behaves as it does in process.
/// </summary>
public sealed class RedisResponseStateStore(IConnectionMultiplexer redis, TimeProvider time) : IResponseStateStore
{
    public string Name => "redis";

    public static RedisKey KeyOf(string tenantId, string responseId) => $"er:{{{tenantId}}}:resp:{responseId}";

    public async ValueTask<StoredResponse?> GetAsync(string tenantId, string responseId, CancellationToken cancellationToken)
    {
        var value = await redis.GetDatabase().StringGetAsync(KeyOf(tenantId, responseId));
        if (value.IsNullOrEmpty)
        {
            return null;
        }

        var entry = JsonSerializer.Deserialize((byte[])value!, StoredResponseJson.Default.StoredResponse);
        return entry is not null && entry.ExpiresAt > time.GetUtcNow() ? entry : null;
    }

    public async ValueTask SaveAsync(string tenantId, StoredResponse response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        var ttl = response.ExpiresAt - time.GetUtcNow();
        if (ttl <= TimeSpan.Zero)
        {
            return;
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(response, StoredResponseJson.Default.StoredResponse);
        await redis.GetDatabase().StringSetAsync(KeyOf(tenantId, response.ResponseId), json, ttl);
    }
}

[JsonSerializable(typeof(StoredResponse))]
internal sealed partial class StoredResponseJson : JsonSerializerContext;
