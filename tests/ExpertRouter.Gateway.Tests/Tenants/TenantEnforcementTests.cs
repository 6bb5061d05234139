using System.Net;
using System.Text;
using System.Text.Json;
using ExpertRouter.Gateway.Tests.Functional;

namespace ExpertRouter.Gateway.Tests.Tenants;

/// <summary>
/// Budgets, rate limits, usage and admin through one real gateway (in-process accounting) whose tenants each
/// exercise one rule; see <see cref="EnforcementGateway"/>.
/// </summary>
public sealed class TenantEnforcementTests(EnforcementGateway fixture) : IClassFixture<EnforcementGateway>
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Chat_HardBudgetSpent_Returns429InsufficientQuotaAndUsageAddsUp()
    {
        var gateway = fixture.Gateway;
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
        var gateway = fixture.Gateway;
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
        var gateway = fixture.Gateway;
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
        var gateway = fixture.Gateway;
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
        var gateway = fixture.Gateway;
        using var client = gateway.CreateClient(TenantTestPolicies.KeyFor("capped"));

        using var small = await client.PostAsync("/v1/chat/completions", Json(TenantTestPolicies.Chat(maxTokens: 5)));
        using var large = await client.PostAsync("/v1/chat/completions", Json(TenantTestPolicies.Chat(maxTokens: 5000)));

        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        await ErrorAssert.IsEnvelopeAsync(large, HttpStatusCode.BadRequest, "request_cost_cap_exceeded");
    }

    [Fact]
    public async Task Auto_SoftBudgetSpent_DowngradesInsteadOfRefusing()
    {
        var gateway = fixture.Gateway;
        using var client = gateway.CreateClient(TenantTestPolicies.KeyFor("soft"));

        using var first = await client.PostAsync("/v1/chat/completions", Json(TenantTestPolicies.Chat(model: "auto")));
        using var second = await client.PostAsync("/v1/chat/completions", Json(TenantTestPolicies.Chat(model: "auto")));

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("downgraded", second.Headers.GetValues("x-expertrouter-budget").Single());
        Assert.Equal("claude-3-haiku-20240307", second.Headers.GetValues("x-expertrouter-expert").Single());
    }

    [Fact]
    public async Task Admin_WithoutAdminKey_Unauthorized()
    {
        var gateway = fixture.Gateway;

        using var anonymous = await gateway.CreateClient(null).GetAsync("/admin/tenants");
        using var tenantKey = await gateway.CreateClient(TenantTestPolicies.KeyFor("t")).GetAsync("/admin/tenants");
        using var admin = await gateway.CreateClient(TenantTestPolicies.AdminKey).GetAsync("/admin/tenants");

        await ErrorAssert.IsEnvelopeAsync(anonymous, HttpStatusCode.Unauthorized, "invalid_api_key");
        Assert.Equal(HttpStatusCode.Unauthorized, tenantKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        using var tenants = JsonDocument.Parse(await admin.Content.ReadAsStringAsync());
        Assert.Contains(tenants.RootElement.EnumerateArray(), t => t.GetProperty("id").GetString() == "t");
    }
}
