using ExpertRouter.Core.Caching;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Caching.Semantic.Redis;

/// <summary>
/// The semantic index in Redis 8 vector sets, shared by every replica: one set per tenant and scope, element = the
/// cache entry's key, next to a hash of records (vector, facts, expiry) and a sorted set of expiries. Only the subset
/// of VADD/VSIM that Redis 8 and Garnet share is used: <c>VADD key FP32 blob element NOQUANT</c> and
/// <c>VSIM key FP32 blob WITHSCORES COUNT n</c> (n = 16: prompts that differ only in a number are close neighbours, and the guard
/// must still find the one that agrees among them). VSIM only proposes candidates; their similarity is computed here
/// from the stored vectors, since the servers' scores differ (Redis: (1+cos)/2, Garnet: squared L2).
/// Elements do not expire in a vector set: expired and over-the-bound ones are removed on insert, candidates whose
/// record is gone or expired are removed when a lookup meets them, and an element whose cache entry is gone (evicted)
/// is removed when the cache finds that out (<see cref="RemoveAsync(string, string, string, CancellationToken)"/>).
/// </summary>
public sealed class VectorSetSemanticIndex(IConnectionMultiplexer redis, TimeProvider time, int maxEntriesPerScope, int candidates = 16) : ISemanticIndex
{
    private const int PruneBatch = 64;

    public string Name => "redis-vector-set";

    /// <summary>True when the server answers vector set commands (Redis 8, Garnet with vector sets on).</summary>
    public static async Task<bool> SupportedAsync(IConnectionMultiplexer redis)
    {
        try
        {
            // COMMAND INFO is not enough: Garnet lists VADD even when vector sets are switched off.
            await redis.GetDatabase().ExecuteAsync("VCARD", (RedisKey)"er:probe:vset").ConfigureAwait(false);
            return true;
        }
        catch (RedisServerException)
        {
            return false;
        }
    }

    public async ValueTask AddAsync(SemanticEntry entry, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var ttl = entry.ExpiresAt - now;
        if (ttl <= TimeSpan.Zero)
        {
            return;
        }

        var keys = new RedisSemanticKeys(entry.TenantId, entry.Scope);
        var db = redis.GetDatabase();
        // The record goes first: a lookup on another replica that meets an element without its record removes it.
        var batch = db.CreateBatch();
        var writes = new List<Task>
        {
            batch.HashSetAsync(keys.Records, entry.Key, SemanticRecord.Encode(entry)),
            batch.SortedSetAddAsync(keys.Expiry, entry.Key, entry.ExpiresAt.ToUnixTimeMilliseconds()),
            batch.KeyExpireAsync(keys.Records, ttl),
            batch.KeyExpireAsync(keys.Expiry, ttl),
        };
        var expired = batch.SortedSetRangeByScoreAsync(keys.Expiry, double.NegativeInfinity, now.ToUnixTimeMilliseconds(), take: PruneBatch);
        var count = batch.SortedSetLengthAsync(keys.Expiry);
        batch.Execute();
        await Task.WhenAll(writes).ConfigureAwait(false);
        await db.ExecuteAsync("VADD", keys.VectorSet, "FP32", SemanticRecord.Fp32(entry.Vector), entry.Key, "NOQUANT").ConfigureAwait(false);
        await db.KeyExpireAsync(keys.VectorSet, ttl).ConfigureAwait(false);

        var stale = (await expired.ConfigureAwait(false)).ToList();
        var over = await count.ConfigureAwait(false) - stale.Count - maxEntriesPerScope;
        if (over > 0)
        {
            var oldest = await db.SortedSetRangeByRankAsync(keys.Expiry, 0, Math.Min(over, PruneBatch) + stale.Count - 1).ConfigureAwait(false);
            stale.AddRange(oldest.Where(o => !stale.Contains(o) && o != entry.Key));
        }

        await RemoveAsync(db, keys, stale).ConfigureAwait(false);
    }

    public async ValueTask<SemanticMatch?> FindAsync(SemanticQuery query, CancellationToken cancellationToken)
    {
        var keys = new RedisSemanticKeys(query.TenantId, query.Scope);
        var db = redis.GetDatabase();
        var reply = await db.ExecuteAsync("VSIM", keys.VectorSet, "FP32", SemanticRecord.Fp32(query.Vector), "WITHSCORES", "COUNT", candidates).ConfigureAwait(false);
        var elements = ((RedisResult[])reply!).Where((_, i) => i % 2 == 0).Select(e => (RedisValue)e.ToString()).ToArray();
        if (elements.Length == 0)
        {
            return null;
        }

        var records = await db.HashGetAsync(keys.Records, elements).ConfigureAwait(false);
        var now = time.GetUtcNow();
        SemanticMatch? best = null;
        var stale = new List<RedisValue>();
        for (var i = 0; i < elements.Length; i++)
        {
            var entry = records[i].IsNullOrEmpty ? null : SemanticRecord.Decode(query.TenantId, query.Scope, (byte[])records[i]!);
            if (entry is null || entry.ExpiresAt <= now || entry.Vector.Length != query.Vector.Length)
            {
                stale.Add(elements[i]);
                continue;
            }

            var similarity = VectorMath.Dot(entry.Vector, query.Vector);
            if (similarity >= query.Threshold && similarity > (best?.Similarity ?? float.MinValue) && entry.Facts == query.Facts)
            {
                best = new SemanticMatch(entry.Key, similarity);
            }
        }

        await RemoveAsync(db, keys, stale).ConfigureAwait(false);
        return best;
    }

    public async ValueTask RemoveAsync(string tenantId, string scope, string key, CancellationToken cancellationToken) =>
        await RemoveAsync(redis.GetDatabase(), new RedisSemanticKeys(tenantId, scope), [key]).ConfigureAwait(false);

    private static async Task RemoveAsync(IDatabase db, RedisSemanticKeys keys, List<RedisValue> elements)
    {
        if (elements.Count == 0)
        {
            return;
        }

        var removals = new List<Task>();
        foreach (var element in elements)
        {
            removals.Add(db.ExecuteAsync("VREM", keys.VectorSet, element));
        }

        removals.Add(db.HashDeleteAsync(keys.Records, [.. elements]));
        removals.Add(db.SortedSetRemoveAsync(keys.Expiry, [.. elements]));
        await Task.WhenAll(removals).ConfigureAwait(false);
    }
}
