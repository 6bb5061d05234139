using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Configuration;

namespace ExpertRouter.Gateway.Caching;

/// <summary>Says how a tenant's answers are cached. Read once per request, so a policy reload applies at once.</summary>
public interface ITenantCachePolicy
{
    TenantCacheOptions For(TenantPolicy tenant);
}

/// <summary>
/// The tenant's policy file (<see cref="TenantPolicy.Cache"/>: on/off, TTL, a semantic similarity that turns the
/// semantic cache on) over the gateway default <c>ExpertRouter:Cache:Default</c>; the gateway can switch caching
/// off for everyone. <c>ExpertRouter:Cache:Tenants:&lt;id&gt;</c>, when present, replaces both for that tenant.
/// </summary>
public sealed class ConfiguredTenantCachePolicy(CacheSettings settings) : ITenantCachePolicy
{
    public TenantCacheOptions For(TenantPolicy tenant)
    {
        if (settings.Tenants.TryGetValue(tenant.Id, out var own))
        {
            return own;
        }

        var policy = tenant.Cache;
        var defaults = settings.Default;
        return defaults with
        {
            Enabled = defaults.Enabled && policy.Enabled && policy.TtlSeconds > 0,
            Ttl = policy.TtlSeconds > 0 ? TimeSpan.FromSeconds(policy.TtlSeconds) : defaults.Ttl,
            Mode = policy.SemanticSimilarity is null ? defaults.Mode : CacheMode.Semantic,
            SemanticThreshold = policy.SemanticSimilarity ?? defaults.SemanticThreshold,
        };
    }
}
