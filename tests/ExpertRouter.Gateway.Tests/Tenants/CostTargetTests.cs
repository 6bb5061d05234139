using System.Net;
using System.Text;
using ExpertRouter.Gateway.Tests.Functional;

namespace ExpertRouter.Gateway.Tests.Tenants;

/// <summary>A tenant's cost target is turned into λ by the shipped router's calibration, and it steers the choice.</summary>
public sealed class CostTargetTests : IDisposable
{
    private const string HardMath = "Let f(x) = x^4 - 5x^2 + 4. Find the sum of the squares of all real roots, then compute the remainder when 7^2024 is divided by 13.";
    private readonly TenantTestPolicies _policies = new();

    public void Dispose() => _policies.Dispose();

    [Fact]
    public async Task CostTarget_TightVersusLoose_TightPicksCheaperExpert()
    {
        _policies.Write("frugal", "router:\n  name: irt-ze12\n  costTarget:\n    maxCostFractionOfBest: 0.02\n", allow: "");
        _policies.Write("lavish", "router:\n  name: irt-ze12\n  costTarget:\n    maxCostFractionOfBest: 1.0\n", allow: "");
        await using var gateway = await GatewayBuilder.StartAsync(_policies.Settings());

        var frugal = await ChosenAsync(gateway, "frugal");
        var lavish = await ChosenAsync(gateway, "lavish");

        var prices = new Dictionary<string, double>
        {
            // Output prices of the shipped ZE-12 experts (USD per million tokens), from appsettings.json.
            ["o1-mini-2024-09-12"] = 12, ["gpt-4o-2024-08-06"] = 10, ["gpt-4o-mini-2024-07-18"] = 0.6,
            ["claude-3-5-sonnet-20240620"] = 15, ["claude-3-haiku-20240307"] = 1.25, ["Meta-Llama-3.1-70B-Instruct"] = 0.88,
            ["Meta-Llama-3.1-8B-Instruct"] = 0.18, ["gemini-1.5-flash"] = 0.3, ["Mistral-Large-2"] = 9,
            ["deepseek-v2.5-0908"] = 0.28, ["gemma-2-2b-it"] = 0.1, ["Qwen2-72B-Instruct"] = 0.9,
        };
        Assert.True(prices[frugal] < prices[lavish], $"frugal chose {frugal}, lavish chose {lavish}");
    }

    private static async Task<string> ChosenAsync(GatewayHost gateway, string tenant)
    {
        using var client = gateway.CreateClient(TenantTestPolicies.KeyFor(tenant));
        using var response = await client.PostAsync("/v1/chat/completions",
            new StringContent(TenantTestPolicies.Chat(model: "auto", prompt: HardMath), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("irt-ze12", response.Headers.GetValues("x-expertrouter-router").Single());
        return response.Headers.GetValues("x-expertrouter-expert").Single();
    }
}
