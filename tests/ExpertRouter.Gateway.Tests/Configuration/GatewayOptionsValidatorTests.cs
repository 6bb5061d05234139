using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Configuration;

namespace ExpertRouter.Gateway.Tests.Configuration;

public sealed class GatewayOptionsValidatorTests
{
    private static readonly string[] Routers = ["cheapest"];

    [Fact]
    public void Validate_ValidOptions_NoErrors()
    {
        var options = new GatewayOptions
        {
            Experts = [new ExpertDefinition { Id = "a", BaseUrls = ["http://127.0.0.1:1/v1"] }, new ExpertDefinition { Id = "b", Simulated = true }],
            Tenants = [new TenantPolicy { Id = "t", ApiKeySha256 = [ApiKeyHash.Sha256Hex("k")], AllowedExperts = ["a"] }],
        };

        Assert.Empty(GatewayOptionsValidator.Validate(options, Routers));
    }

    [Fact]
    public void Validate_ManyProblems_ReportsEveryOneAtOnce()
    {
        var options = new GatewayOptions
        {
            Experts =
            [
                new ExpertDefinition { Id = "a", BaseUrls = ["ftp://x"] },
                new ExpertDefinition { Id = "a", Simulated = true, InputUsdPerMTok = -1 },
                new ExpertDefinition { Id = "auto", Simulated = true, BaseUrls = ["http://x/v1"] },
                new ExpertDefinition { Id = "", Simulated = true, ExpectedOutputTokens = 0, Capabilities = new ExpertCapabilities { Chat = false } },
            ],
            Tenants =
            [
                new TenantPolicy { Id = "t", ApiKeySha256 = ["not-a-hash"], Router = "nope", DeniedExperts = ["ghost"] },
                new TenantPolicy { Id = "t" },
            ],
            DefaultRouter = "missing",
            MaxRequestBodyBytes = 0,
        };

        var errors = GatewayOptionsValidator.Validate(options, Routers);

        Assert.Contains(errors, e => e.Contains("'ftp://x' is not an absolute http(s) URL"));
        Assert.Contains(errors, e => e.Contains("duplicate expert 'a'"));
        Assert.Contains(errors, e => e.Contains("prices must not be negative"));
        Assert.Contains(errors, e => e.Contains("'auto' is reserved"));
        Assert.Contains(errors, e => e.Contains("Experts:2: set exactly one of Simulated or BaseUrls"));
        Assert.Contains(errors, e => e.Contains("Experts:3:Id: required"));
        Assert.Contains(errors, e => e.Contains("ExpectedOutputTokens: must be positive"));
        Assert.Contains(errors, e => e.Contains("must serve chat or embeddings"));
        Assert.Contains(errors, e => e.Contains("'not-a-hash' is not a lower-case hex SHA-256"));
        Assert.Contains(errors, e => e.Contains("Tenants:0:Router: unknown router 'nope'"));
        Assert.Contains(errors, e => e.Contains("unknown expert 'ghost'"));
        Assert.Contains(errors, e => e.Contains("duplicate tenant 't'"));
        Assert.Contains(errors, e => e.Contains("DefaultRouter: unknown router 'missing'"));
        Assert.Contains(errors, e => e.Contains("MaxRequestBodyBytes: must be positive"));
        Assert.Equal(14, errors.Count);
    }

    [Fact]
    public void Validate_MissingApiKeyVariable_IsAnError()
    {
        var options = new GatewayOptions
        {
            Experts = [new ExpertDefinition { Id = "a", BaseUrls = ["https://api.example.com/v1"], ApiKeyEnvironmentVariable = "EXPERTROUTER_TEST_SURELY_UNSET_VARIABLE" }],
        };

        var error = Assert.Single(GatewayOptionsValidator.Validate(options, Routers));
        Assert.Contains("EXPERTROUTER_TEST_SURELY_UNSET_VARIABLE", error);
    }

    [Fact]
    public void Validate_UnknownOrUnservableApis_ListsEach()
    {
        var options = new GatewayOptions
        {
            Experts =
            [
                new ExpertDefinition { Id = "a", Simulated = true, Apis = ["responses", "Anthropic", "chat"] },
                new ExpertDefinition { Id = "b", Simulated = true, Apis = ["gemini", "responses-v2"] },
                new ExpertDefinition { Id = "c", Simulated = true, Apis = ["responses"], Capabilities = new ExpertCapabilities { Chat = false, Embeddings = true } },
            ],
        };

        var errors = GatewayOptionsValidator.Validate(options, Routers);

        Assert.Contains("ExpertRouter:Experts:1:Apis: unknown API 'gemini' (known: chat, responses, anthropic).", errors);
        Assert.Contains(errors, e => e.StartsWith("ExpertRouter:Experts:1:Apis: unknown API 'responses-v2'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ExpertRouter:Experts:2:Apis: only an expert that serves chat", StringComparison.Ordinal));
        Assert.Equal(3, errors.Count);
    }
}
