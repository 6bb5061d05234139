using System.Collections.Frozen;
using ExpertRouter.Core.Tenants;

namespace ExpertRouter.Gateway.Tenants;

/// <summary>Tenants written inline in configuration, looked up by the hash of the presented key.</summary>
public sealed class ConfiguredTenantDirectory : ITenantDirectory
{
    private readonly FrozenDictionary<string, TenantPolicy> _byKeyHash;

    public ConfiguredTenantDirectory(IEnumerable<TenantPolicy> tenants)
    {
        Tenants = tenants.ToArray();
        _byKeyHash = Tenants
            .SelectMany(t => t.ApiKeySha256.Select(hash => (hash, t)))
            .ToFrozenDictionary(x => x.hash, x => x.t, StringComparer.Ordinal);
    }

    public IReadOnlyList<TenantPolicy> Tenants { get; }

    public TenantPolicy? FindByApiKey(string apiKey) => ApiKeyHash.Find(_byKeyHash, apiKey);
}
