using System.Net;
using System.Net.Http.Headers;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Tests.Functional;

namespace ExpertRouter.Gateway.Tests.Hosting;

/// <summary>/metrics names tenants and their spend: it is served on the management port, or behind a key, never openly on the API port.</summary>
public sealed class ManagementGateTests
{
    [Fact]
    public async Task WithAManagementPort_MetricsAreServedThereOnly_AndItServesNothingElse()
    {
        await using var gateway = await new GatewayBuilder().StartAsync();
        using var management = new HttpClient { BaseAddress = gateway.ManagementAddress };

        using var onApi = await gateway.CreateClient(apiKey: null).GetAsync("/metrics");
        using var onManagement = await management.GetAsync("/metrics");
        using var healthOnManagement = await management.GetAsync("/healthz");
        using var apiOnManagement = await management.GetAsync("/v1/models");

        await ErrorAssert.IsEnvelopeAsync(onApi, HttpStatusCode.NotFound, "not_found");
        Assert.Equal(HttpStatusCode.OK, onManagement.StatusCode);
        Assert.Contains("expertrouter", await onManagement.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, healthOnManagement.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, apiOnManagement.StatusCode);
    }

    [Fact]
    public async Task WithoutAManagementPortOrKey_MetricsAreOff()
    {
        await using var gateway = await NoManagementPort().StartAsync();

        using var response = await gateway.CreateClient(apiKey: null).GetAsync("/metrics");

        var error = await ErrorAssert.IsEnvelopeAsync(response, HttpStatusCode.NotFound, "not_found");
        Assert.Contains("Management:Urls", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task WithoutAManagementPort_MetricsNeedTheMetricsOrAdminKey()
    {
        await using var gateway = await NoManagementPort()
            .Setting("Management:MetricsKeySha256", ApiKeyHash.Sha256Hex("sk-metrics"))
            .Setting("AdminKeySha256", ApiKeyHash.Sha256Hex("sk-admin"))
            .StartAsync();

        using var anonymous = await gateway.CreateClient(apiKey: null).GetAsync("/metrics");
        using var tenant = await gateway.Client.GetAsync("/metrics");
        using var metricsKey = await gateway.CreateClient("sk-metrics").GetAsync("/metrics");
        using var adminKey = await gateway.CreateClient("sk-admin").GetAsync("/metrics");

        await ErrorAssert.IsEnvelopeAsync(anonymous, HttpStatusCode.Unauthorized, "invalid_api_key");
        await ErrorAssert.IsEnvelopeAsync(tenant, HttpStatusCode.Unauthorized, "invalid_api_key");
        Assert.Equal(HttpStatusCode.OK, metricsKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, adminKey.StatusCode);
    }

    [Fact]
    public async Task BadManagementAddress_FailsStartUp()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new GatewayBuilder().Setting("Management:Urls:0", "https://example.com").StartAsync());

        Assert.Contains("Management:Urls", error.Message);
    }

    private static GatewayBuilder NoManagementPort() => new GatewayBuilder().WithoutManagementPort();
}
