using ExpertRouter.Core.Tenants;
using ExpertRouter.Policies;

namespace ExpertRouter.Gateway.Tenants;

/// <summary>Every tenant the directory serves now, whether it reads a policy folder or inline configuration.</summary>
public static class TenantList
{
    public static IEnumerable<TenantPolicy> All(ITenantDirectory directory) => directory switch
    {
        PolicyDirectory policies => policies.Tenants,
        ConfiguredTenantDirectory configured => configured.Tenants,
        _ => [],
    };

    public static TenantPolicy? Find(ITenantDirectory directory, string tenantId) => directory switch
    {
        PolicyDirectory policies => policies.FindById(tenantId),
        _ => All(directory).FirstOrDefault(t => t.Id == tenantId),
    };
}
