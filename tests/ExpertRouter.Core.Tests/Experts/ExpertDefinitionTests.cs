using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Tenants;

namespace ExpertRouter.Core.Tests.Experts;

public sealed class ExpertDefinitionTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(4, 1)]
    [InlineData(5, 2)]
    [InlineData(400, 100)]
    public void TokenEstimate_IsCeilingOfCharactersOverFour(int characters, int tokens) =>
        Assert.Equal(tokens, TokenEstimate.FromCharacters(characters));

    [Fact]
    public void CostUsd_UsesPricesPerMillionTokens()
    {
        var expert = new ExpertDefinition { Id = "x", InputUsdPerMTok = 2.5, OutputUsdPerMTok = 10 };

        Assert.Equal((1000 * 2.5 + 500 * 10) / 1e6, expert.CostUsd(1000, 500), 15);
    }

    [Fact]
    public void UpstreamModel_DefaultsToId()
    {
        Assert.Equal("a", new ExpertDefinition { Id = "a" }.UpstreamModel);
        Assert.Equal("b", new ExpertDefinition { Id = "a", BackendModel = "b" }.UpstreamModel);
    }

    [Fact]
    public void ApiKeyHash_IsLowerHexSha256()
    {
        // sha256("abc") from FIPS 180-2.
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ApiKeyHash.Sha256Hex("abc"));
    }

    [Fact]
    public void TenantPolicy_Allows_RespectsAllowAndDenyLists()
    {
        var open = new TenantPolicy { Id = "t" };
        var restricted = new TenantPolicy { Id = "t", AllowedExperts = ["a", "b"], DeniedExperts = ["b"] };

        Assert.True(open.Allows("anything"));
        Assert.True(restricted.Allows("a"));
        Assert.False(restricted.Allows("b"));
        Assert.False(restricted.Allows("c"));
    }
}
