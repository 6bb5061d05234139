using System.Net;
using System.Text;
using System.Text.Json;
using ExpertRouter.Gateway.Tests.Functional;
using ExpertRouter.Testing;

namespace ExpertRouter.Gateway.Tests.Tenants;

/// <summary>The gateway's side of the Redis faults: what a client and a readiness probe see.</summary>
public sealed class RedisFaultGatewayTests : IDisposable
{
    private readonly TenantTestPolicies _policies = new();

    public void Dispose() => _policies.Dispose();

    private static StringContent Chat() => new(TenantTestPolicies.Chat(), Encoding.UTF8, "application/json");

    [Fact]
    public async Task StartedWhileRedisDown_BudgetedTenantRefused503WithRetryAfter_UnbudgetedTenantServed()
    {
        _policies.Write("budgeted", "budgets:\n  dailyUsd: 1\n");
        _policies.Write("unbudgeted");
        await using var gateway = await GatewayBuilder.StartAsync(_policies.Settings(redis: "127.0.0.1:9,connectTimeout=500"));
        using var budgeted = gateway.CreateClient(TenantTestPolicies.KeyFor("budgeted"));
        using var unbudgeted = gateway.CreateClient(TenantTestPolicies.KeyFor("unbudgeted"));

        using var refused = await budgeted.PostAsync("/v1/chat/completions", Chat());
        using var served = await unbudgeted.PostAsync("/v1/chat/completions", Chat());

        await ErrorAssert.IsEnvelopeAsync(refused, HttpStatusCode.ServiceUnavailable, "budget_unverifiable");
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [RedisFact]
    public async Task RedisHung_ReadinessSaysHung_RequestsStillServed_ThenHealthyAgain()
    {
        using var proxy = new CuttableTcpProxy(RedisTestServer.Shared!.Endpoint);
        _policies.Write("steady", "budgets:\n  dailyUsd: 100\n");
        var settings = _policies.Settings(redis: proxy.Endpoint);
        await using var gateway = await GatewayBuilder.StartAsync(settings);
        using var client = gateway.CreateClient(TenantTestPolicies.KeyFor("steady"));
        using var probe = gateway.CreateClient(apiKey: null);
        // Until one request has read the tenant's spend in Redis, a replica refuses it while Redis is unusable; on a
        // loaded machine the first calls can outlast the command timeout, so warm up until one went through.
        var warm = HttpStatusCode.ServiceUnavailable;
        for (var i = 0; i < 50 && warm != HttpStatusCode.OK; i++)
        {
            using var response = await client.PostAsync("/v1/chat/completions", Chat());
            warm = response.StatusCode;
            await Task.Delay(warm == HttpStatusCode.OK ? 0 : 200);
        }

        Assert.Equal(HttpStatusCode.OK, warm);

        proxy.Freeze();
        var statuses = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            using var response = await client.PostAsync("/v1/chat/completions", Chat());
            statuses.Add(response.StatusCode == HttpStatusCode.OK ? "200" : $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        var whileHung = await StateStoreAsync(probe, until: "hung");
        proxy.Thaw();
        var afterwards = await StateStoreAsync(probe, until: "Healthy");

        Assert.All(statuses, status => Assert.Equal("200", status));
        Assert.StartsWith("Degraded: state store hung or overloaded: no answer within 1000 ms", whileHung);
        Assert.StartsWith("Healthy: state store reachable", afterwards);
    }

    /// <summary>Polls <c>/readyz</c> (bounded) until the state-store check's status and description contain <paramref name="until"/>.</summary>
    private static async Task<string> StateStoreAsync(HttpClient probe, string until)
    {
        var seen = "";
        for (var i = 0; i < 100 && !seen.Contains(until, StringComparison.Ordinal); i++)
        {
            using var report = JsonDocument.Parse(await probe.GetStringAsync("/readyz"));
            var check = report.RootElement.GetProperty("checks").GetProperty("state-store");
            seen = $"{check.GetProperty("status").GetString()}: {check.GetProperty("description").GetString()}";
            await Task.Delay(100);
        }

        return seen;
    }
}
