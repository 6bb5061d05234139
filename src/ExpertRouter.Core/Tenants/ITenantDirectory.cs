namespace ExpertRouter.Core.Tenants;

/// <summary>Resolves an API key to its tenant's current policy.</summary>
public interface ITenantDirectory
{
    TenantPolicy? FindByApiKey(string apiKey);
}
