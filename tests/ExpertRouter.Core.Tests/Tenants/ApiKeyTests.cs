using System.Text.RegularExpressions;
using ExpertRouter.Core.Tenants;

namespace ExpertRouter.Core.Tests.Tenants;

public sealed class ApiKeyTests
{
    [Fact]
    public void NewKey_LooksLikeOpenAiKey_AndIsUnique()
    {
        var keys = Enumerable.Range(0, 50).Select(_ => ApiKeyGenerator.NewKey()).ToList();

        Assert.All(keys, k => Assert.Matches(new Regex("^sk-[A-Za-z0-9_-]{32,}$"), k));
        Assert.Equal(keys.Count, keys.Distinct().Count());
    }

    [Fact]
    public void Sha256Hex_KnownInput_MatchesReferenceDigest()
    {
        // printf '%s' abc | sha256sum
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ApiKeyHash.Sha256Hex("abc"));
    }

    [Theory]
    [InlineData("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", true)]
    [InlineData("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", false)]
    [InlineData("sk-expertrouter-demo", false)]
    [InlineData("", false)]
    public void IsSha256Hex_Input_RecognisesLowerHexDigests(string value, bool expected) =>
        Assert.Equal(expected, ApiKeyHash.IsSha256Hex(value));
}
