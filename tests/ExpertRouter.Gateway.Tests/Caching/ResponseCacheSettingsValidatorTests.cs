using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.Configuration;

namespace ExpertRouter.Gateway.Tests.Caching;

public sealed class ResponseCacheSettingsValidatorTests
{
    [Fact]
    public void Validate_Defaults_NoErrors()
    {
        Assert.Empty(ResponseCacheSettingsValidator.Validate(new ResponseCacheSettings()));
    }

    [Fact]
    public void Validate_NegativeCatchUpAndZeroEntries_ListsBoth()
    {
        var errors = ResponseCacheSettingsValidator.Validate(new ResponseCacheSettings { SemanticCatchUp = TimeSpan.FromSeconds(-1), MaxEntries = 0 }).ToList();

        Assert.Contains("ExpertRouter:Cache:SemanticCatchUp: must not be negative.", errors);
        Assert.Contains("ExpertRouter:Cache:MaxEntries: must be positive.", errors);
    }
}
