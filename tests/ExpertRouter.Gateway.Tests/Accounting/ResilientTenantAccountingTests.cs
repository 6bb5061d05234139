using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Accounting.InProcess;
using ExpertRouter.Gateway.Accounting.Redis;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Tests.Accounting;

public sealed class ResilientTenantAccountingTests
{
    [RedisFact]
    public async Task Accounting_RedisUnreachable_ServesInProcessThenReconcilesWhenBack()
    {
        using var proxy = new CuttableTcpProxy(RedisTestServer.Shared!.Endpoint);
        using var connection = await ConnectionMultiplexer.ConnectAsync(RedisTestServer.Options(proxy.Endpoint));
        var time = new FakeTimeProvider(AccountingContract.Start);
        var redis = new RedisTenantAccounting(connection, time);
        // An outage allowance of half the budget, so the second in-process admission is refused by the budget itself.
        var accounting = new ResilientTenantAccounting(
            redis, new InProcessTenantAccounting(time), time, NullLogger<ResilientTenantAccounting>.Instance, new AccountingOptions { OutageAllowanceFraction = 0.5 });
        var tenant = AccountingContract.NewTenant();
        var today = DateOnly.FromDateTime(AccountingContract.Start.UtcDateTime);
        AdmissionRequest Ask(double usd) => AccountingContract.Request(tenant, usd, dailyUsd: 1.0);

        var a = await accounting.TryAdmitAsync(Ask(0.4));
        await accounting.SettleAsync(a.Reservation!, new SettledUsage("small", 10, 10, 0.3));
        var b = await accounting.TryAdmitAsync(Ask(0.2));

        proxy.Cut();
        await WaitUntil(() => !connection.IsConnected);
        var c = await accounting.TryAdmitAsync(Ask(0.5));
        var degradedWhileDown = accounting.IsDegraded;
        // Local counters start from the spend last seen in Redis (0.3), so the budget still holds: 0.3 + 0.5 + 0.5 > 1.
        var d = await accounting.TryAdmitAsync(Ask(0.5));
        await accounting.SettleAsync(c.Reservation!, new SettledUsage("large", 20, 20, 0.45));
        await accounting.SettleAsync(b.Reservation!, new SettledUsage("small", 5, 5, 0.1));
        await accounting.RecordCacheHitAsync(tenant, new CacheSaving("large", 20, 20, 0.45));
        var pendingWhileDown = accounting.PendingReconciliation;

        proxy.Restore();
        await WaitUntil(() => connection.IsConnected);
        var ledger = await accounting.GetLedgerAsync(tenant, today, today);
        var spendInRedis = await redis.GetSpendAsync(tenant);

        Assert.Equal(ReservationOrigin.Redis, b.Reservation!.Origin);
        Assert.True(degradedWhileDown);
        Assert.Equal(ReservationOrigin.InProcess, c.Reservation!.Origin);
        Assert.Equal(AdmissionOutcome.BudgetExhausted, d.Outcome);
        Assert.Equal(3, pendingWhileDown);
        Assert.False(accounting.IsDegraded);
        Assert.Equal(0, accounting.PendingReconciliation);
        Assert.Equal(850_000_000, spendInRedis.SpentTodayNanos);
        Assert.Equal(0, spendInRedis.ReservedNanos);
        Assert.Equal(
            [new LedgerEntry(today, "large", 1, 20, 20, 450_000_000, CacheHits: 1, SavedNanos: 450_000_000), new LedgerEntry(today, "small", 2, 15, 15, 400_000_000)],
            ledger.OrderBy(e => e.Expert, StringComparer.Ordinal));
    }

    /// <summary>With an allowance for spend this replica never read: served in-process within it (the default refuses, see RedisFaultTests).</summary>
    [Fact]
    public async Task Accounting_RedisNeverReachable_ServesInProcess()
    {
        using var proxy = new CuttableTcpProxy("127.0.0.1:9");
        proxy.Cut();
        using var connection = await ConnectionMultiplexer.ConnectAsync(RedisTestServer.Options(proxy.Endpoint));
        var time = new FakeTimeProvider(AccountingContract.Start);
        var accounting = new ResilientTenantAccounting(
            new RedisTenantAccounting(connection, time), new InProcessTenantAccounting(time), time, NullLogger<ResilientTenantAccounting>.Instance,
            new AccountingOptions { UnknownSpendAllowanceFraction = 0.6 });
        var tenant = AccountingContract.NewTenant();

        var first = await accounting.TryAdmitAsync(AccountingContract.Request(tenant, 0.6, dailyUsd: 1.0));
        var second = await accounting.TryAdmitAsync(AccountingContract.Request(tenant, 0.6, dailyUsd: 1.0));
        await accounting.SettleAsync(first.Reservation!, new SettledUsage("small", 1, 1, 0.5));

        Assert.True(accounting.IsDegraded);
        Assert.Equal(AdmissionOutcome.Admitted, first.Outcome);
        Assert.Equal(AdmissionOutcome.BudgetExhausted, second.Outcome);
        Assert.Equal(500_000_000, (await accounting.GetSpendAsync(tenant)).SpentTodayNanos);
        Assert.Equal(1, accounting.PendingReconciliation);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        // Waits on the client library noticing the socket state, not on timing we assert about.
        for (var i = 0; i < 300 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), "the connection state did not change within 15 s");
    }
}
