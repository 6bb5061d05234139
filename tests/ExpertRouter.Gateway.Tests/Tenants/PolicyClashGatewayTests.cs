using System.Net;
using System.Text;
using System.Text.Json;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Tests.Functional;

namespace ExpertRouter.Gateway.Tests.Tenants;

/// <summary>
/// A second policy file claims tenant pa's key: the running gateway keeps pa, and a gateway started on the same
/// folder (a restart, a new replica) starts, keeps pa too, and says on <c>/readyz</c> which file it rejected.
/// </summary>
public sealed class PolicyClashGatewayTests : IDisposable
{
    private readonly TenantTestPolicies _policies = new();

    public void Dispose() => _policies.Dispose();

    [Fact]
    public async Task ClashToleratedByReload_NextStartServesTheSameTenant_AndReadinessNamesTheRejectedFile()
    {
        _policies.Write("pa");
        await using var running = await GatewayBuilder.StartAsync(_policies.Settings());
        // "pa-copy.yaml" sorts before "pa.yaml": a start that took files in path order accepted it and exited.
        File.WriteAllText(Path.Combine(_policies.Folder, "pa-copy.yaml"), $"id: intruder\napiKeySha256:\n  - {ApiKeyHash.Sha256Hex(TenantTestPolicies.KeyFor("pa"))}\n");
        using var admin = running.CreateClient(TenantTestPolicies.AdminKey);
        using var reload = await admin.PostAsync("/admin/policies/reload", null);

        await using var restarted = await GatewayBuilder.StartAsync(_policies.Settings());
        var onRunning = await ServedTenantAsync(running);
        var onRestarted = await ServedTenantAsync(restarted);
        using var ready = await restarted.CreateClient(apiKey: null).GetAsync("/readyz");
        using var report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        var policies = report.RootElement.GetProperty("checks").GetProperty("policies");

        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        Assert.Equal(("pa", "pa"), (onRunning, onRestarted));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Degraded", policies.GetProperty("status").GetString());
        Assert.StartsWith("1 policy file(s) rejected: pa-copy.yaml (This API key hash already belongs to tenant 'pa'", policies.GetProperty("description").GetString());
    }

    [Fact]
    public async Task NoRejectedFile_ReadinessPoliciesHealthy()
    {
        _policies.Write("solo");
        await using var gateway = await GatewayBuilder.StartAsync(_policies.Settings());

        using var report = JsonDocument.Parse(await gateway.CreateClient(apiKey: null).GetStringAsync("/readyz"));

        Assert.Equal("Healthy", report.RootElement.GetProperty("checks").GetProperty("policies").GetProperty("status").GetString());
    }

    /// <summary>The tenant pa's key authenticates as, from <c>/v1/usage</c>.</summary>
    private static async Task<string?> ServedTenantAsync(GatewayHost gateway)
    {
        using var client = gateway.CreateClient(TenantTestPolicies.KeyFor("pa"));
        using var usage = JsonDocument.Parse(await client.GetStringAsync("/v1/usage"));
        return usage.RootElement.GetProperty("tenant").GetString();
    }
}
