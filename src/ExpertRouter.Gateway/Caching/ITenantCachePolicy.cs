using ExpertRouter.Core.Tenants;

namespace ExpertRouter.Gateway.Caching;

/// <summary>Says how a tenant's answers are cached. Read once per request, so a policy reload applies at once.</summary>
public interface ITenantCachePolicy
{
    CacheOptions For(TenantPolicy tenant);
}

/// <summary>The gateway default from configuration, replaced per tenant by <c>ExpertRouter:Cache:Tenants:&lt;id&gt;</c>.</summary>
public sealed class ConfiguredTenantCachePolicy(ResponseCacheSettings settings) : ITenantCachePolicy
{
    public CacheOptions For(TenantPolicy tenant) =>
        settings.Tenants.TryGetValue(tenant.Id, out var own) ? own : settings.Default;
}
