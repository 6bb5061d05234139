using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.Configuration;

namespace ExpertRouter.Gateway.Tests.Configuration;

public sealed class CacheSettingsValidatorTests
{
    [Fact]
    public void Validate_Defaults_NoErrors()
    {
        Assert.Empty(CacheSettingsValidator.Validate(new CacheSettings()));
    }

    [Fact]
    public void Validate_NegativeCatchUpAndZeroEntries_ListsBoth()
    {
        var errors = CacheSettingsValidator.Validate(new CacheSettings { SemanticCatchUp = TimeSpan.FromSeconds(-1), MaxEntries = 0 }).ToList();

        Assert.Contains("ExpertRouter:Cache:SemanticCatchUp: must not be negative.", errors);
        Assert.Contains("ExpertRouter:Cache:MaxEntries: must be positive.", errors);
    }
}
