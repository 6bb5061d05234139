using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ExpertRouter.Gateway.Tests.Functional;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Gateway.Tests.Tenants;

/// <summary>Tenant policies, budgets, rate limits and usage through the real gateway (in-process accounting).</summary>
public sealed class TenantGatewayTests : IDisposable
{
    private readonly TenantTestPolicies _policies = new();

    public void Dispose() => _policies.Dispose();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Chat_HardBudgetSpent_Returns429InsufficientQuotaAndUsageAddsUp()
    {
        _policies.Write("budget", "budgets:\n  dailyUsd: 0.0002\n");
        await using var gateway = await GatewayHost.StartAsync(_policies.Settings());
        using var client = gateway.CreateClient(TenantTestPolicies.KeyFor("budget"));

        var charged = 0.0;
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 40 && refused is null; i++)
        {
            var response = await client.PostAsync("/v1/chat/completions", Json(TenantTestPolicies.Chat(prompt: $"Question {i}: name a prime.")));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                charged += TenantTestPolicies.CostOf(body.RootElement);
                response.Dispose();
            }
            else
            {
                refused = response;
            }
        }

        Assert.NotNull(refused);
        var error = await ErrorAssert.IsEnvelopeAsync(refused, HttpStatusCode.TooManyRequests, "insufficient_quota");
        Assert.Equal("insufficient_quota", error.GetProperty("type").GetString());
        using var usage = JsonDocument.Parse(await client.GetStringAsync("/v1/usage"));
        var total = usage.RootElement.GetProperty("total_cost_usd").GetDouble();
        Assert.Equal(charged, total, 9);
        Assert.True(total <= 0.0002, $"spent {total}");
        Assert.Equal(0.0002 - total, usage.RootElement.GetProperty("budget_remaining_usd").GetDouble(), 9);
        var line = Assert.Single(usage.RootElement.GetProperty("data").EnumerateArray());
        Assert.Equal(TenantTestPolicies.Mini, line.GetProperty("expert").GetString());
        Assert.Equal(charged, line.GetProperty("cost_usd").GetDouble(), 9);
    }

    [Fact]
    public async Task Chat_RequestsPerMinuteExceeded_Returns429WithRetryAfter()
    {
        _policies.Write("limited", "rateLimits:\n  requestsPerMinute: 2\n");
        // Mid-minute on a clock that stands still: the three requests share one rate window.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 15, TimeSpan.Zero));
        await using var gateway = await GatewayHost.StartAsync(_policies.Settings(), services => services.AddSingleton<TimeProvider>(clock));
        using var client = gateway.CreateClient(TenantTestPolicies.KeyFor("limited"));

        using var first = await client.PostAsync("/v1/chat/completions", Json(TenantTestPolicies.Chat()));
        using var second = await client.PostAsync("/v1/chat/completions", Json(TenantTestPolicies.Chat()));
        using var third = await client.PostAsync("/v1/chat/completions", Json(TenantTestPolicies.Chat()));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var error = await ErrorAssert.IsEnvelopeAsync(third, HttpStatusCode.TooManyRequests, "rate_limit_exceeded");
        Assert.Equal("rate_limit_error", error.GetProperty("type").GetString());
        Assert.Equal("45", third.Headers.GetValues("Retry-After").Single());
    }

    [Fact]
    public async Task Stream_ClientDidNotAskForUsage_HidesUsageChunkButStillAccounts()
    {
        _policies.Write("streamer");
        await using var gateway = await GatewayHost.StartAsync(_policies.Settings());
        using var client = gateway.CreateClient(TenantTestPolicies.KeyFor("streamer"));

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json(TenantTestPolicies.Chat(stream: true)) };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var text = await response.Content.ReadAsStringAsync();
        using var usage = JsonDocument.Parse(await client.GetStringAsync("/v1/usage"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("usage", text);
        Assert.EndsWith("data: [DONE]", text.Trim());
        var line = Assert.Single(usage.RootElement.GetProperty("data").EnumerateArray());
        Assert.Equal(1, line.GetProperty("requests").GetInt64());
        Assert.True(line.GetProperty("completion_tokens").GetInt64() > 0);
        Assert.True(usage.RootElement.GetProperty("total_cost_usd").GetDouble() > 0);
    }

    [Fact]
    public async Task Stream_ClientAskedForUsage_KeepsUsageChunk()
    {
        _policies.Write("asker");
        await using var gateway = await GatewayHost.StartAsync(_policies.Settings());
        using var client = gateway.CreateClient(TenantTestPolicies.KeyFor("asker"));
        var body = """{"model":"gpt-4o-mini-2024-07-18","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""";

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json(body) };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

        using var usageChunk = JsonDocument.Parse(events[^2].Trim()["data: ".Length..]);
        Assert.True(usageChunk.RootElement.GetProperty("usage").GetProperty("total_tokens").GetInt32() > 0);
    }

    [Fact]
    public async Task Chat_WorstCaseAbovePerRequestCap_Returns400()
    {
        _policies.Write("capped", "maxCostPerRequestUsd: 0.00001\n");
        await using var gateway = await GatewayHost.StartAsync(_policies.Settings());
        using var client = gateway.CreateClient(TenantTestPolicies.KeyFor("capped"));

        using var small = await client.PostAsync("/v1/chat/completions", Json(TenantTestPolicies.Chat(maxTokens: 5)));
        using var large = await client.PostAsync("/v1/chat/completions", Json(TenantTestPolicies.Chat(maxTokens: 5000)));

        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        await ErrorAssert.IsEnvelopeAsync(large, HttpStatusCode.BadRequest, "request_cost_cap_exceeded");
    }

    [Fact]
    public async Task Auto_SoftBudgetSpent_DowngradesInsteadOfRefusing()
    {
        _policies.Write("soft", "router:\n  name: cheapest\nbudgets:\n  dailyUsd: 0.000001\n  mode: soft\n  downgradeTo: [claude-3-haiku-20240307]\n",
            allow: "gpt-4o-mini-2024-07-18, claude-3-haiku-20240307");
        await using var gateway = await GatewayHost.StartAsync(_policies.Settings());
        using var client = gateway.CreateClient(TenantTestPolicies.KeyFor("soft"));

        using var first = await client.PostAsync("/v1/chat/completions", Json(TenantTestPolicies.Chat(model: "auto")));
        using var second = await client.PostAsync("/v1/chat/completions", Json(TenantTestPolicies.Chat(model: "auto")));

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("downgraded", second.Headers.GetValues("x-expertrouter-budget").Single());
        Assert.Equal("claude-3-haiku-20240307", second.Headers.GetValues("x-expertrouter-expert").Single());
    }

    [Fact]
    public async Task Policies_BadEditAtRuntime_RejectedVisiblyWhileLastGoodPolicyServes()
    {
        var file = _policies.Write("live");
        await using var gateway = await GatewayHost.StartAsync(_policies.Settings());
        using var client = gateway.CreateClient(TenantTestPolicies.KeyFor("live"));
        using var admin = gateway.CreateClient(TenantTestPolicies.AdminKey);

        File.AppendAllText(file, "rateLimits:\n  requestsPerMinute: lots\n");
        using var reload = await admin.PostAsync("/admin/policies/reload", null);
        using var served = await client.PostAsync("/v1/chat/completions", Json(TenantTestPolicies.Chat()));
        using var rejections = JsonDocument.Parse(await admin.GetStringAsync("/admin/policies/rejections"));
        var metrics = await gateway.CreateClient(null).GetStringAsync("/metrics");

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
        await using var gateway = await GatewayHost.StartAsync(_policies.Settings());
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
    public async Task Admin_WithoutAdminKey_Unauthorized()
    {
        _policies.Write("t");
        await using var gateway = await GatewayHost.StartAsync(_policies.Settings());

        using var anonymous = await gateway.CreateClient(null).GetAsync("/admin/tenants");
        using var tenantKey = await gateway.CreateClient(TenantTestPolicies.KeyFor("t")).GetAsync("/admin/tenants");
        using var admin = await gateway.CreateClient(TenantTestPolicies.AdminKey).GetAsync("/admin/tenants");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, tenantKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        using var tenants = JsonDocument.Parse(await admin.Content.ReadAsStringAsync());
        Assert.Equal("t", Assert.Single(tenants.RootElement.EnumerateArray()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task Start_BadPolicyFile_FailsWithFileAndLine()
    {
        _policies.Write("good");
        File.WriteAllText(Path.Combine(_policies.Folder, "bad.yaml"), "id: bad\napiKeySha256: [nothex]\nbudgets:\n  dailyUsd: -5\n");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayHost.StartAsync(_policies.Settings()));

        Assert.Contains("bad.yaml:2:", error.Message);
        Assert.Contains("bad.yaml:4:", error.Message);
    }

    [Fact]
    public async Task DefaultRun_ShippedDemoPolicy_AcceptsDemoKeyAndReportsUsage()
    {
        await using var gateway = await GatewayHost.StartAsync();

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
        // Nothing listens on the discard port; the gateway must not wait for Redis.
        await using var gateway = await GatewayHost.StartAsync(_policies.Settings(redis: "127.0.0.1:9,connectTimeout=500"));
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
