using StackExchange.Redis;

namespace ExpertRouter.Gateway.Caching.Semantic.Redis;

/// <summary>
/// The keys of one tenant and scope's semantic index, <c>er:{tenant}:sem:&lt;scope&gt;:…</c>. The tenant is the hash
/// tag, as for the cache entries, so every key a lookup or a script touches lies in one cluster slot.
/// </summary>
internal readonly struct RedisSemanticKeys(string tenantId, string scope)
{
    private readonly string _prefix = $"er:{{{tenantId}}}:sem:{scope}:";

    /// <summary>Redis 8 vector set: element = cache entry key.</summary>
    public RedisKey VectorSet => _prefix + "vset";

    /// <summary>Hash: cache entry key → <see cref="SemanticRecord"/>.</summary>
    public RedisKey Records => _prefix + "rec";

    /// <summary>Sorted set: cache entry key scored by expiry (unix ms), to drop stale and oldest elements.</summary>
    public RedisKey Expiry => _prefix + "exp";

    /// <summary>Sorted set: <see cref="SemanticRecord"/>s scored by <see cref="Sequence"/>, read by replicas catching up.</summary>
    public RedisKey Log => _prefix + "log";

    public RedisKey Sequence => _prefix + "seq";
}
