using ExpertRouter.Gateway.Tests.Functional;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Gateway.Tests.Tenants;

/// <summary>
/// One gateway for <see cref="TenantEnforcementTests"/>: a tenant per rule under test, so the tests share a
/// process without sharing state. Its clock stands still mid-minute, so a rate window never ends during a test.
/// </summary>
public sealed class EnforcementGateway : IAsyncLifetime
{
    private readonly TenantTestPolicies _policies = new();

    public GatewayHost Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _policies.Write("budget", "budgets:\n  dailyUsd: 0.0002\n");
        _policies.Write("limited", "rateLimits:\n  requestsPerMinute: 2\n");
        _policies.Write("streamer");
        _policies.Write("asker");
        _policies.Write("capped", "maxCostPerRequestUsd: 0.00001\n");
        _policies.Write("soft", "router:\n  name: cheapest\nbudgets:\n  dailyUsd: 0.000001\n  mode: soft\n  downgradeTo: [claude-3-haiku-20240307]\n",
            allow: "gpt-4o-mini-2024-07-18, claude-3-haiku-20240307");
        _policies.Write("t");
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 15, TimeSpan.Zero));
        Gateway = await new GatewayBuilder().Settings(_policies.Settings()).Services(services => services.AddSingleton<TimeProvider>(clock)).StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        _policies.Dispose();
    }
}
