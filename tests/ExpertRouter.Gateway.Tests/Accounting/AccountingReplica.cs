using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Accounting.InProcess;
using ExpertRouter.Gateway.Accounting.Redis;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Tests.Accounting;

/// <summary>One gateway replica's accounting as the gateway wires it: its own connection, Redis behind the resilient layer.</summary>
public sealed class AccountingReplica : IAsyncDisposable
{
    private AccountingReplica(ConnectionMultiplexer connection, RedisTenantAccounting redis, ResilientTenantAccounting accounting)
    {
        Connection = connection;
        Redis = redis;
        Accounting = accounting;
    }

    public ConnectionMultiplexer Connection { get; }

    public RedisTenantAccounting Redis { get; }

    public ResilientTenantAccounting Accounting { get; }

    public static async Task<AccountingReplica> StartAsync(string endpoint, TimeProvider time, AccountingOptions? options = null)
    {
        var connection = await ConnectionMultiplexer.ConnectAsync(RedisTestServer.Options(endpoint));
        var redis = new RedisTenantAccounting(connection, time, options);
        var accounting = new ResilientTenantAccounting(redis, new InProcessTenantAccounting(time, options), time, NullLogger<ResilientTenantAccounting>.Instance, options);
        return new AccountingReplica(connection, redis, accounting);
    }

    /// <summary>Admits a request of <paramref name="reserveUsd"/> worst case and, when admitted, settles it at <paramref name="costUsd"/>.</summary>
    public async Task<AdmissionOutcome> ServeAsync(string tenant, double reserveUsd, double costUsd, double dailyBudgetUsd)
    {
        var admission = await Accounting.TryAdmitAsync(AccountingContract.Request(tenant, reserveUsd, dailyUsd: dailyBudgetUsd));
        if (admission.Reservation is { } reservation)
        {
            await Accounting.SettleAsync(reservation, new SettledUsage("small", 10, 10, costUsd));
        }

        return admission.Outcome;
    }

    /// <summary>Waits for the client library to see the connection in <paramref name="connected"/> state (bounded).</summary>
    public async Task WaitForConnectionAsync(bool connected)
    {
        for (var i = 0; i < 300 && Connection.IsConnected != connected; i++)
        {
            await Task.Delay(50);
        }

        Assert.True(Connection.IsConnected == connected, $"the connection did not become {(connected ? "connected" : "disconnected")} within 15 s");
    }

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
