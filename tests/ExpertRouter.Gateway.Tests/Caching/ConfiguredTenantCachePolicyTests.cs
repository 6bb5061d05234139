using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.Configuration;

namespace ExpertRouter.Gateway.Tests.Caching;

public sealed class ConfiguredTenantCachePolicyTests
{
    private static readonly CacheSettings Settings = new()
    {
        Default = new TenantCacheOptions { Ttl = TimeSpan.FromMinutes(5), SemanticThreshold = 0.97 },
        Tenants = new Dictionary<string, TenantCacheOptions> { ["pinned"] = new() { Enabled = false } },
    };

    private readonly ConfiguredTenantCachePolicy _policies = new(Settings);

    [Fact]
    public void For_PolicyFileSettings_OverTheGatewayDefault()
    {
        var options = _policies.For(new TenantPolicy { Id = "a", Cache = new CachePolicy { TtlSeconds = 120, SemanticSimilarity = 0.9 } });

        Assert.Equal((true, TimeSpan.FromSeconds(120), CacheMode.Semantic, 0.9), (options.Enabled, options.Ttl, options.Mode, options.SemanticThreshold));
    }

    [Fact]
    public void For_NoSemanticSimilarity_StaysExact()
    {
        var options = _policies.For(new TenantPolicy { Id = "a" });

        Assert.Equal((CacheMode.Exact, 0.97), (options.Mode, options.SemanticThreshold));
    }

    [Fact]
    public void For_PolicyOrGatewayOff_IsOff()
    {
        var offByPolicy = _policies.For(new TenantPolicy { Id = "a", Cache = new CachePolicy { Enabled = false } });
        var offByGateway = new ConfiguredTenantCachePolicy(new CacheSettings { Default = new TenantCacheOptions { Enabled = false } }).For(new TenantPolicy { Id = "a" });

        Assert.False(offByPolicy.Enabled);
        Assert.False(offByGateway.Enabled);
    }

    [Fact]
    public void For_ConfiguredTenantEntry_ReplacesEverything()
    {
        Assert.False(_policies.For(new TenantPolicy { Id = "pinned", Cache = new CachePolicy { Enabled = true } }).Enabled);
    }
}
