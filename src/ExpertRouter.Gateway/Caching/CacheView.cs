using System.Text;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Caching.Replay;
using ExpertRouter.Gateway.Configuration;

namespace ExpertRouter.Gateway.Caching;

/// <summary>
/// The tenant's response cache as one request sees it: the tenant's options and the client's Cache-Control
/// (<c>no-store</c> skips the cache, <c>no-cache</c> skips lookups but still stores). The client's own request and an
/// ensemble's calls to its members look up and store through the same view, under the same keys, so a member's answer
/// and a client's direct call to that expert share entries.
/// </summary>
public sealed class CacheView
{
    private readonly ResponseCache _cache;
    private readonly CacheMetrics _metrics;
    private readonly CacheSavings _savings;

    private CacheView(ResponseCache cache, CacheMetrics metrics, CacheSavings savings, string tenantId, TenantCacheOptions options, bool lookUp)
    {
        (_cache, _metrics, _savings, TenantId, Options, LookUp) = (cache, metrics, savings, tenantId, options, lookUp);
    }

    public string TenantId { get; }

    public TenantCacheOptions Options { get; }

    /// <summary>False when the client sent <c>Cache-Control: no-cache</c>: answers are stored but not looked up.</summary>
    public bool LookUp { get; }

    public ResponseCache Cache => _cache;

    /// <summary>The request's view; null when the tenant does not cache or the client said <c>no-store</c>.</summary>
    public static CacheView? For(
        ResponseCache cache, CacheMetrics metrics, CacheSavings savings, ITenantCachePolicy policies, TenantPolicy tenant, string cacheControl)
    {
        var options = policies.For(tenant);
        return !options.Enabled || cacheControl.Contains("no-store", StringComparison.OrdinalIgnoreCase)
            ? null
            : new CacheView(cache, metrics, savings, tenant.Id, options, lookUp: !cacheControl.Contains("no-cache", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The keys of <paramref name="body"/> when its answer may be cached (deterministic, or the tenant caches sampling); else null.</summary>
    public CacheKeys? KeysFor(ReadOnlyMemory<byte> body, bool deterministic, bool withScope)
    {
        // Keys cost a canonical JSON and two hashes: only requests the cache may keep pay for them.
        return deterministic || Options.CacheNonDeterministic ? CacheKeyBuilder.Build(TenantId, body, withScope) : null;
    }

    /// <summary>An ensemble member's call (<paramref name="body"/> carrying the expert's public id as model), keyed as a direct call would be.</summary>
    public CacheKeys? KeysForCall(string body)
    {
        var keys = CacheKeyBuilder.Build(TenantId, Encoding.UTF8.GetBytes(body), withScope: false);
        if (keys.Deterministic || Options.CacheNonDeterministic)
        {
            return keys;
        }

        _metrics.Lookup(CacheOutcome.Bypass, TenantId);
        return null;
    }

    /// <summary>The stored answer of <paramref name="expert"/> under an ensemble call's keys, counted as a hit or a miss.</summary>
    public async ValueTask<CachedResponse?> GetCallAsync(CacheKeys keys, string expert, CancellationToken cancellationToken)
    {
        var entry = LookUp ? await _cache.GetAsync(TenantId, keys.Exact, cancellationToken).ConfigureAwait(false) : null;
        if (entry is null || !string.Equals(entry.Expert, expert, StringComparison.Ordinal))
        {
            _metrics.Lookup(CacheOutcome.Miss, TenantId);
            return null;
        }

        _metrics.Lookup(CacheOutcome.Hit, TenantId);
        return entry;
    }

    /// <summary>Counts what a hit saved, on the savings metric and in the tenant's ledger.</summary>
    public ValueTask RecordSavingAsync(CacheSaving saving) => _savings.RecordAsync(TenantId, saving);

    /// <summary>Keeps a complete answer (its JSON, or its stream's events reassembled); a broken one is never stored.</summary>
    public async ValueTask<CachedResponse?> StoreAsync(CacheKeys keys, CapturedCompletion? completion, string expert, string prompt, SemanticProbe? probe)
    {
        if (completion is null)
        {
            return null;
        }

        var entry = await _cache.StoreAsync(TenantId, keys, completion, expert, prompt, Options.Ttl, probe, CancellationToken.None).ConfigureAwait(false);
        _metrics.Stored(_cache.Store.Name);
        return entry;
    }
}
