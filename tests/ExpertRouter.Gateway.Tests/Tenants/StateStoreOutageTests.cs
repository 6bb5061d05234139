using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using ExpertRouter.Testing;
using ExpertRouter.Gateway.Tests.Functional;

namespace ExpertRouter.Gateway.Tests.Tenants;

/// <summary>
/// The state store (Redis, behind a proxy the test can cut) dies while the gateway is under load: every request
/// must still be answered, readiness must say Degraded (still 200), and recover once the store is back.
/// </summary>
public sealed class StateStoreOutageTests : IDisposable
{
    private readonly TenantTestPolicies _policies = new();

    public void Dispose() => _policies.Dispose();

    [RedisFact]
    public async Task StateStoreKilledDuringLoad_EveryRequestAnswered_ReadinessDegradedThenRecovers()
    {
        using var proxy = new CuttableTcpProxy(RedisTestServer.Shared!.Endpoint);
        _policies.Write("load", "budgets:\n  dailyUsd: 100\n");
        await using var gateway = await GatewayBuilder.StartAsync(_policies.Settings(redis: proxy.Endpoint));
        using var client = gateway.CreateClient(TenantTestPolicies.KeyFor("load"));
        using var probe = gateway.CreateClient(apiKey: null);
        await WaitForStateStoreAsync(probe, "Healthy", client);
        var statuses = new ConcurrentQueue<HttpStatusCode>();
        var sent = 0;

        await Parallel.ForEachAsync(Enumerable.Range(0, 240), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, cancellation) =>
        {
            if (Interlocked.Increment(ref sent) == 80)
            {
                proxy.Cut();
            }

            using var response = await client.PostAsync("/v1/chat/completions", new StringContent(
                $$"""{"model":"{{TenantTestPolicies.Mini}}","messages":[{"role":"user","content":"hello"}]}""", Encoding.UTF8, "application/json"), cancellation);
            statuses.Enqueue(response.StatusCode);
        });

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(240, statuses.Count);
        Assert.Contains("unreachable", await WaitForStateStoreAsync(probe, "Degraded", client));
        proxy.Restore();
        // No more traffic: the readiness probe and the background recovery find Redis back and write the journal there.
        Assert.Contains("0 settlement(s) waiting", await WaitForStateStoreAsync(probe, "Healthy", client: null));
    }

    /// <summary>
    /// Polls <c>/readyz</c> (bounded, with one request per poll when a client is given) until the state-store check reports
    /// <paramref name="status"/>; returns its description.
    /// </summary>
    private static async Task<string> WaitForStateStoreAsync(HttpClient probe, string status, HttpClient? client)
    {
        var seen = "";
        for (var i = 0; i < 300; i++)
        {
            if (client is not null)
            {
                using var request = await client.PostAsync("/v1/chat/completions", new StringContent(
                    $$"""{"model":"{{TenantTestPolicies.Mini}}","messages":[{"role":"user","content":"hello"}]}""", Encoding.UTF8, "application/json"));
                Assert.Equal(HttpStatusCode.OK, request.StatusCode);
            }

            using var response = await probe.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var check = report.RootElement.GetProperty("checks").GetProperty("state-store");
            seen = $"{check.GetProperty("status").GetString()}: {check.GetProperty("description").GetString()}";
            if (check.GetProperty("status").GetString() == status)
            {
                return seen;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"state-store never became {status}; last: {seen}");
        return seen;
    }
}
