using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ExpertRouter.Testing;
using Xunit.Abstractions;

namespace ExpertRouter.Gateway.Tests.Tenants;

/// <summary>Runs alone: three gateway processes competing with parallel tests for two cores would only test the machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GatewayProcessCollection
{
    public const string Name = "gateway processes";
}

/// <summary>The acceptance test for shared budgets: several gateway processes, one Redis, one small budget.</summary>
[Collection(GatewayProcessCollection.Name)]
public sealed class SharedBudgetProcessTests(ITestOutputHelper output) : IDisposable
{
    private const double BudgetUsd = 0.001;
    private const int MaxTokens = 40;
    private const int Requests = 200;
    private readonly TenantTestPolicies _policies = new();

    public void Dispose() => _policies.Dispose();

    [RedisFact]
    public async Task ThreeGatewayProcesses_200ConcurrentRequests_SpendStaysWithinBudgetAndLedgerMatches()
    {
        var tenant = "shared-" + Guid.NewGuid().ToString("N")[..8];
        _policies.Write(tenant, $"budgets:\n  dailyUsd: {TenantTestPolicies.Usd(BudgetUsd)}\n");
        var gateways = Enumerable.Range(0, 3)
            // Commands get time enough for a loaded 2-core machine: a timeout would be served in-process, which this
            // test of exact shared accounting is not about (RedisFaultTests covers it).
            .Select(_ => GatewayProcess.Start("--policies", _policies.Folder, "--redis", RedisTestServer.Shared!.Endpoint, "--ExpertRouter:Accounting:CommandTimeout", "00:00:10"))
            .ToList();
        try
        {
            await Task.WhenAll(gateways.Select(g => g.WaitUntilReadyAsync()));
            var clients = gateways.Select(g => Client(g.Address, TenantTestPolicies.KeyFor(tenant))).ToList();

            using var start = new SemaphoreSlim(0);
            var calls = Enumerable.Range(0, Requests).Select(async i =>
            {
                await start.WaitAsync();
                using var content = new StringContent(TenantTestPolicies.Chat(maxTokens: MaxTokens, prompt: $"Question {i}: name a prime."), Encoding.UTF8, "application/json");
                using var response = await clients[i % clients.Count].PostAsync("/v1/chat/completions", content);
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                return response.StatusCode == HttpStatusCode.OK
                    ? (Status: 200, CostNanos: (long)Math.Round(TenantTestPolicies.CostOf(body.RootElement) * 1e9), Code: "")
                    : (Status: (int)response.StatusCode, CostNanos: 0L, Code: body.RootElement.GetProperty("error").GetProperty("code").GetString()!);
            }).ToList();
            start.Release(Requests);
            var results = await Task.WhenAll(calls);

            using var usage = JsonDocument.Parse(await clients[1].GetStringAsync("/v1/usage"));
            var root = usage.RootElement;
            var served = results.Where(r => r.Status == 200).ToList();
            var refused = results.Where(r => r.Status != 200).ToList();
            var ledger = root.GetProperty("data").EnumerateArray().ToList();
            var spent = root.GetProperty("total_cost_usd").GetDouble();
            // The worst case one request may cost: a prompt of ~7 tokens plus max_tokens of output at $0.15/$0.60 per MTok.
            var oneRequestUsd = (16 * 0.15 + MaxTokens * 0.6) / 1e6;

            output.WriteLine($"redis: {RedisTestServer.Shared!.Kind}; served {served.Count}, refused {refused.Count}; spent {spent:0.#########} USD of {BudgetUsd}; ledger {ledger.Sum(l => l.GetProperty("cost_usd").GetDouble()):0.#########} USD");
            Assert.NotEmpty(served);
            Assert.NotEmpty(refused);
            Assert.All(refused, r => Assert.Equal((429, "insufficient_quota"), (r.Status, r.Code)));
            Assert.True(spent <= BudgetUsd + oneRequestUsd, $"spent {spent} of a {BudgetUsd} budget");
            Assert.Equal(served.Sum(r => r.CostNanos) / 1e9, spent, 12);
            Assert.Equal(served.Sum(r => r.CostNanos) / 1e9, ledger.Sum(l => l.GetProperty("cost_usd").GetDouble()), 12);
            Assert.Equal(served.Count, ledger.Sum(l => l.GetProperty("requests").GetInt64()));
            Assert.Equal(0, root.GetProperty("budget").GetProperty("reserved_usd").GetDouble());
            Assert.False(root.GetProperty("degraded").GetBoolean());
            clients.ForEach(c => c.Dispose());
        }
        finally
        {
            gateways.ForEach(g => g.Dispose());
        }
    }

    private static HttpClient Client(Uri address, string key)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(3) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
