using System.Net;
using System.Text;
using System.Text.Json;
using ExpertRouter.Gateway.Tests.Functional;

namespace ExpertRouter.Gateway.Tests.Tenants;

/// <summary>Policy folders, reloads, start-up and Redis settings, each on a gateway of its own.</summary>
public sealed class TenantGatewayTests : IDisposable
{
    private readonly TenantTestPolicies _policies = new();

    public void Dispose() => _policies.Dispose();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Policies_BadEditAtRuntime_RejectedVisiblyWhileLastGoodPolicyServes()
    {
        var file = _policies.Write("live");
        await using var gateway = await GatewayBuilder.StartAsync(_policies.Settings());
        using var client = gateway.CreateClient(TenantTestPolicies.KeyFor("live"));
        using var admin = gateway.CreateClient(TenantTestPolicies.AdminKey);

        File.AppendAllText(file, "rateLimits:\n  requestsPerMinute: lots\n");
        using var reload = await admin.PostAsync("/admin/policies/reload", null);
        using var served = await client.PostAsync("/v1/chat/completions", Json(TenantTestPolicies.Chat()));
        using var rejections = JsonDocument.Parse(await admin.GetStringAsync("/admin/policies/rejections"));
        var metrics = await gateway.ScrapeAsync();

        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        var rejection = Assert.Single(rejections.RootElement.GetProperty("rejections").EnumerateArray());
        Assert.EndsWith("live.yaml", rejection.GetProperty("file").GetString());
        Assert.Equal("live", rejection.GetProperty("kept_tenant_id").GetString());
        var error = Assert.Single(rejection.GetProperty("errors").EnumerateArray());
        Assert.Equal(7, error.GetProperty("line").GetInt32());
        Assert.Contains("expertrouter_policy_rejected_files", metrics);
    }

    [Fact]
    public async Task Policies_GoodEditAtRuntime_NewKeyWorksWithoutRestart()
    {
        _policies.Write("first");
        await using var gateway = await GatewayBuilder.StartAsync(_policies.Settings());
        using var second = gateway.CreateClient(TenantTestPolicies.KeyFor("second"));
        using var before = await second.PostAsync("/v1/chat/completions", Json(TenantTestPolicies.Chat()));

        _policies.Write("second");
        using var admin = gateway.CreateClient(TenantTestPolicies.AdminKey);
        using var reload = await admin.PostAsync("/admin/policies/reload", null);
        using var after = await second.PostAsync("/v1/chat/completions", Json(TenantTestPolicies.Chat()));

        Assert.Equal(HttpStatusCode.Unauthorized, before.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Start_BadPolicyFile_FailsWithFileAndLine()
    {
        _policies.Write("good");
        File.WriteAllText(Path.Combine(_policies.Folder, "bad.yaml"), "id: bad\napiKeySha256: [nothex]\nbudgets:\n  dailyUsd: -5\n");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayBuilder.StartAsync(_policies.Settings()));

        Assert.Contains("bad.yaml:2:", error.Message);
        Assert.Contains("bad.yaml:4:", error.Message);
    }

    [Fact]
    public async Task DefaultRun_ShippedDemoPolicy_AcceptsDemoKeyAndReportsUsage()
    {
        await using var gateway = await GatewayBuilder.StartAsync();

        using var chat = await gateway.Client.PostAsync("/v1/chat/completions", Json(TenantTestPolicies.Chat(model: "auto")));
        using var usage = JsonDocument.Parse(await gateway.Client.GetStringAsync("/v1/usage"));

        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal("demo", usage.RootElement.GetProperty("tenant").GetString());
        Assert.True(usage.RootElement.GetProperty("total_cost_usd").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Null, usage.RootElement.GetProperty("budget_remaining_usd").ValueKind);
    }

    [Fact]
    public async Task Chat_RedisUnreachable_ServedDegradedAndReported()
    {
        _policies.Write("offline", "budgets:\n  dailyUsd: 1\n");
        // Nothing listens on the discard port; the gateway must not wait for Redis. An allowance for spend it never
        // read lets it serve the budgeted tenant (by default it refuses: RedisFaultGatewayTests).
        var settings = _policies.Settings(redis: "127.0.0.1:9,connectTimeout=500");
        settings["ExpertRouter:Accounting:UnknownSpendAllowanceFraction"] = "0.5";
        await using var gateway = await GatewayBuilder.StartAsync(settings);
        using var client = gateway.CreateClient(TenantTestPolicies.KeyFor("offline"));

        using var chat = await client.PostAsync("/v1/chat/completions", Json(TenantTestPolicies.Chat()));
        using var accounting = JsonDocument.Parse(await gateway.CreateClient(TenantTestPolicies.AdminKey).GetStringAsync("/admin/accounting"));
        using var usage = JsonDocument.Parse(await client.GetStringAsync("/v1/usage"));

        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.True(accounting.RootElement.GetProperty("degraded").GetBoolean());
        Assert.Equal(1, accounting.RootElement.GetProperty("pending_reconciliation").GetInt32());
        Assert.True(usage.RootElement.GetProperty("degraded").GetBoolean());
        Assert.True(usage.RootElement.GetProperty("total_cost_usd").GetDouble() > 0);
    }
}
