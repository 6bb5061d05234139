using System.Text;
using System.Text.Json.Nodes;
using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.Caching.Replay;

namespace ExpertRouter.Gateway.Aggregation;

/// <summary>
/// The tenant's response cache as one ensemble request's sub-calls see it. A sub-call is keyed exactly as a client's
/// direct call to that expert would be (the client's body with <c>model</c> set to the expert's id), under the same
/// tenant options and Cache-Control rules, so an ensemble and a direct call share answers and only deterministic
/// calls are cached unless the tenant caches sampling too. Exact keys only: the semantic lookup is left to direct calls.
/// </summary>
public sealed class SubCallCache
{
    private readonly ResponseCache _cache;
    private readonly CacheMetrics _metrics;
    private readonly CacheOptions _options;
    private readonly string _tenantId;
    private readonly bool _lookUp;
    private readonly CacheSavings _savings;

    private SubCallCache(ResponseCache cache, CacheMetrics metrics, CacheOptions options, string tenantId, bool lookUp, CacheSavings savings)
    {
        (_cache, _metrics, _options, _tenantId, _lookUp, _savings) = (cache, metrics, options, tenantId, lookUp, savings);
    }

    /// <summary>The request's cache view; null when the tenant does not cache or the client said <c>no-store</c>.</summary>
    public static SubCallCache? For(
        ResponseCache cache, CacheMetrics metrics, CacheSavings savings, ITenantCachePolicy policies, TenantPolicy tenant, string cacheControl)
    {
        var options = policies.For(tenant);
        if (!options.Enabled || cacheControl.Contains("no-store", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return new SubCallCache(
            cache, metrics, options, tenant.Id, lookUp: !cacheControl.Contains("no-cache", StringComparison.OrdinalIgnoreCase), savings);
    }

    /// <summary>The call's exact key when it may be cached: <paramref name="body"/> must carry the expert's public id as model.</summary>
    public CacheKeys? KeysFor(JsonObject body)
    {
        var keys = CacheKeyBuilder.Build(_tenantId, Encoding.UTF8.GetBytes(body.ToJsonString()), withScope: false);
        var cacheable = keys.Deterministic || _options.CacheNonDeterministic;
        if (!cacheable)
        {
            _metrics.Lookup(CacheOutcome.Bypass, _tenantId);
        }

        return cacheable ? keys : null;
    }

    /// <summary>The stored answer of <paramref name="client"/>'s expert under <paramref name="keys"/>, as a free call result.</summary>
    public async ValueTask<ExpertCallResult?> GetAsync(ExpertClient client, CacheKeys keys, CancellationToken cancellationToken)
    {
        if (!_lookUp)
        {
            _metrics.Lookup(CacheOutcome.Miss, _tenantId);
            return null;
        }

        var entry = await _cache.GetAsync(_tenantId, keys.Exact, cancellationToken).ConfigureAwait(false);
        if (entry is null || !string.Equals(entry.Expert, client.Expert.Id, StringComparison.Ordinal)
            || client.Parse(Encoding.UTF8.GetString(entry.Completion), 0, TimeSpan.Zero) is not { Succeeded: true } answer)
        {
            _metrics.Lookup(CacheOutcome.Miss, _tenantId);
            return null;
        }

        _metrics.Lookup(CacheOutcome.Hit, _tenantId);
        await _savings.RecordAsync(_tenantId, new CacheSaving(
            entry.Expert, entry.PromptTokens, entry.CompletionTokens, client.Expert.CostUsd(entry.PromptTokens, entry.CompletionTokens))).ConfigureAwait(false);
        return answer with { Cached = true, PromptTokens = (int)entry.PromptTokens, CompletionTokens = (int)entry.CompletionTokens, Body = null };
    }

    /// <summary>Keeps a complete answer (JSON, or the stream's events reassembled); a broken one is never stored.</summary>
    public async ValueTask StoreAsync(CacheKeys keys, string expertId, string? json, byte[]? events, string prompt)
    {
        var completion = json is not null
            ? CompletionAssembler.FromJson(Encoding.UTF8.GetBytes(json))
            : events is not null ? CompletionAssembler.FromEventStream(events) : null;
        if (completion is null)
        {
            return;
        }

        await _cache.StoreAsync(_tenantId, keys, completion, expertId, prompt, _options.Ttl, probe: null, CancellationToken.None).ConfigureAwait(false);
        _metrics.Stored(_cache.Store.Name);
    }
}
