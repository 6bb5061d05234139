using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Configuration;

namespace ExpertRouter.Gateway.Tests.Configuration;

public sealed class TenantOptionsValidatorTests
{
    private static readonly GatewayOptions Valid = new()
    {
        Experts = [new ExpertDefinition { Id = "a", BaseUrls = ["http://127.0.0.1:1/v1"] }],
        Policies = "policies",
        Redis = "127.0.0.1:6379,password=secret",
        AdminKeySha256 = ApiKeyHash.Sha256Hex("admin"),
    };

    [Fact]
    public void Validate_PoliciesRedisAndAdminHash_NoErrors() => Assert.Empty(GatewayOptionsValidator.Validate(Valid, ["cheapest"]));

    [Fact]
    public void Validate_TenantSettingsWrong_ReportsEach()
    {
        var options = Valid with
        {
            Tenants = [new TenantPolicy { Id = "inline", ApiKeySha256 = [ApiKeyHash.Sha256Hex("k")] }],
            Redis = "127.0.0.1:6379,notAnOption=1",
            AdminKeySha256 = "sk-plaintext-admin-key",
            DefaultMaxOutputTokens = 0,
        };

        var errors = GatewayOptionsValidator.Validate(options, ["cheapest"]);

        Assert.Contains(errors, e => e.StartsWith("ExpertRouter:Tenants:", StringComparison.Ordinal) && e.Contains("ignored"));
        Assert.Contains(errors, e => e.StartsWith("ExpertRouter:Redis:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ExpertRouter:AdminKeySha256:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ExpertRouter:DefaultMaxOutputTokens:", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("secret"));
    }
}
