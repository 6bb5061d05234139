using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Testing;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace ExpertRouter.Gateway.Tests.Accounting;

/// <summary>
/// Issue #23's Redis faults, each with its figure: replicas started or restarted during an outage (5), Redis restarted
/// empty (6), Redis hung (7). Replicas are <see cref="AccountingReplica"/>s with connections of their own.
/// </summary>
[Collection(Tenants.GatewayProcessCollection.Name)]
public sealed class RedisFaultTests(ITestOutputHelper output)
{
    private const double Budget = 0.02;
    private const double Reserve = 0.0005;
    private const double Cost = 0.0004;

    [RedisFact]
    public async Task Outage_ReplicasStartedOrRestartedMeanwhile_SpendWithinBudgetPlusAllowanceOfReplicasThatKnew()
    {
        using var proxy = new CuttableTcpProxy(RedisTestServer.Shared!.Endpoint);
        var time = new FakeTimeProvider(AccountingContract.Start);
        var tenant = AccountingContract.NewTenant();
        var options = new AccountingOptions();
        await using var a = await AccountingReplica.StartAsync(proxy.Endpoint, time);
        await using var b = await AccountingReplica.StartAsync(proxy.Endpoint, time);
        var d = await AccountingReplica.StartAsync(proxy.Endpoint, time);
        // Before the outage the three replicas spend 90% of the budget through Redis and read the tenant's spend.
        for (var i = 0; i < 45; i++)
        {
            Assert.Equal(AdmissionOutcome.Admitted, await new[] { a, b, d }[i % 3].ServeAsync(tenant, Reserve, Cost, Budget));
        }

        proxy.Cut();
        await Task.WhenAll(a.WaitForConnectionAsync(false), b.WaitForConnectionAsync(false), d.WaitForConnectionAsync(false));
        // During it: d restarts (forgetting what it read) and c is a new replica (scale-up); both never read the spend.
        await d.DisposeAsync();
        await using var restarted = await AccountingReplica.StartAsync(proxy.Endpoint, time);
        await using var c = await AccountingReplica.StartAsync(proxy.Endpoint, time);
        var replicas = new[] { a, b, restarted, c };
        var outcomes = new List<(int Replica, AdmissionOutcome Outcome)>();
        for (var i = 0; i < 400; i++)
        {
            outcomes.Add((i % 4, await replicas[i % 4].ServeAsync(tenant, Reserve, Cost, Budget)));
        }

        proxy.Restore();
        foreach (var replica in replicas)
        {
            await replica.WaitForConnectionAsync(true);
            Assert.True(await replica.Accounting.TryRecoverAsync());
        }

        var spent = (await a.Redis.GetSpendAsync(tenant)).SpentTodayUsd;
        var bound = Budget * (1 + (2 * options.OutageAllowanceFraction));
        output.WriteLine($"budget {Budget} USD; spent {spent:0.######} USD ({spent / Budget:0.00}x); bound {bound:0.####} USD (budget + 2 replicas that knew x {options.OutageAllowanceFraction:P0}); " +
            $"served during the outage: {string.Join(", ", Enumerable.Range(0, 4).Select(r => outcomes.Count(o => o.Replica == r && o.Outcome == AdmissionOutcome.Admitted)))}");
        Assert.True(spent <= bound + 1e-12, $"spent {spent} USD of a {Budget} USD budget; bound {bound}");
        Assert.All(outcomes.Where(o => o.Replica >= 2), o => Assert.Equal(AdmissionOutcome.SpendUnverified, o.Outcome));
        Assert.Contains(outcomes, o => o.Replica < 2 && o.Outcome == AdmissionOutcome.Admitted);
    }

    [RedisFact]
    public async Task RedisRestartedEmpty_EveryReplicaGivesBackItsShare_SpendAndLedgerAsBefore()
    {
        using var server = RedisTestServer.StartOwned()!;
        var time = new FakeTimeProvider(AccountingContract.Start);
        var tenant = AccountingContract.NewTenant();
        var today = BudgetPeriod.Day(AccountingContract.Start);
        await using var a = await AccountingReplica.StartAsync(server.Endpoint, time);
        await using var b = await AccountingReplica.StartAsync(server.Endpoint, time);
        for (var i = 0; i < 40; i++)
        {
            Assert.Equal(AdmissionOutcome.Admitted, await (i % 2 == 0 ? a : b).ServeAsync(tenant, Reserve, Cost, Budget));
        }

        var before = (await a.Redis.GetSpendAsync(tenant)).SpentTodayUsd;
        Assert.True(server.Restart(), "the owned server did not restart");
        await Task.WhenAll(a.WaitForConnectionAsync(true), b.WaitForConnectionAsync(true));
        await a.Accounting.TryRecoverAsync();
        await b.Accounting.TryRecoverAsync();
        var next = await a.ServeAsync(tenant, Reserve, Cost, Budget);
        var overBudget = await b.Accounting.TryAdmitAsync(AccountingContract.Request(tenant, 0.0045, dailyUsd: Budget));

        var after = await a.Redis.GetSpendAsync(tenant);
        var ledger = await b.Redis.GetLedgerAsync(tenant, today, today);
        output.WriteLine($"{server.Kind}: spend before the restart {before:0.######} USD, after {after.SpentTodayUsd:0.######} USD (one request more)");
        Assert.Equal(0.016, before, 9);
        Assert.Equal(AdmissionOutcome.Admitted, next);
        Assert.Equal(0.0164, after.SpentTodayUsd, 9);
        Assert.Equal(0.0164, after.SpentThisMonthUsd, 9);
        Assert.Equal(AdmissionOutcome.BudgetExhausted, overBudget.Outcome);
        var line = Assert.Single(ledger);
        Assert.Equal((41, 16_400_000L), (line.Requests, line.CostNanos));
    }

    [RedisFact]
    public async Task HungRedis_NoRequestWaits_SettlementsCountOnce_NoReservationLeftBehind()
    {
        using var proxy = new CuttableTcpProxy(RedisTestServer.Shared!.Endpoint);
        var time = new FakeTimeProvider(AccountingContract.Start);
        var options = new AccountingOptions { CommandTimeout = TimeSpan.FromSeconds(1) };
        await using var replica = await AccountingReplica.StartAsync(proxy.Endpoint, time, options);
        var accounting = replica.Accounting;
        var tenant = AccountingContract.NewTenant();
        var today = BudgetPeriod.Day(AccountingContract.Start);
        var usage = new SettledUsage("small", 10, 10, Cost);
        AdmissionRequest Ask() => AccountingContract.Request(tenant, Reserve, dailyUsd: 10);
        var first = await accounting.TryAdmitAsync(Ask());
        await accounting.SettleAsync(first.Reservation!, usage);
        var streaming = await accounting.TryAdmitAsync(Ask());

        proxy.Freeze();
        // The hang begins: a settlement and an admission are sent and get no answer within the command timeout.
        var settling = accounting.SettleAsync(streaming.Reservation!, usage).AsTask();
        var admitting = accounting.TryAdmitAsync(Ask()).AsTask();
        var waitedBeforeTimeout = settling.IsCompleted || admitting.IsCompleted;
        time.Advance(options.CommandTimeout);
        await settling;
        var servedInProcess = await admitting;
        // The background probe's PINGs get no answer either: from the second in a row on, the store counts as hung.
        var recoveredWhileHung = false;
        var hungAfterOneProbe = true;
        for (var probes = 0; probes < 2; probes++)
        {
            var probe = accounting.TryRecoverAsync().AsTask();
            time.Advance(options.CommandTimeout);
            recoveredWhileHung |= await probe;
            hungAfterOneProbe &= probes > 0 || accounting.IsHung;
        }

        var hung = accounting.IsHung;
        // From then on no request waits on the hung store: each completes without time passing.
        var settledInProcess = accounting.SettleAsync(servedInProcess.Reservation!, usage).IsCompleted;
        var immediate = 0;
        for (var i = 0; i < 5; i++)
        {
            var admission = accounting.TryAdmitAsync(Ask());
            var settled = admission.IsCompleted ? accounting.SettleAsync((await admission).Reservation!, usage) : default;
            immediate += admission.IsCompleted && settled.IsCompleted ? 1 : 0;
        }

        proxy.Thaw();
        // Redis runs what it had queued (a PING on the same connection answers after it): the timed-out settlement
        // lands, and so does the admission whose answer was lost, holding budget for a request served in-process.
        await replica.Redis.PingAsync();
        var landed = Assert.Single(await replica.Redis.GetLedgerAsync(tenant, today, today)).Requests;
        var orphaned = (await replica.Redis.GetSpendAsync(tenant)).ReservedNanos;
        var recovered = await accounting.TryRecoverAsync();
        var ledger = Assert.Single(await replica.Redis.GetLedgerAsync(tenant, today, today));
        var spend = await replica.Redis.GetSpendAsync(tenant);
        output.WriteLine($"8 requests served; ledger {ledger.Requests} requests, {ledger.CostUsd:0.######} USD; reserved after recovery {spend.ReservedUsd:0.######} USD");

        Assert.Equal((2, 500_000L), (landed, orphaned));
        Assert.False(waitedBeforeTimeout);
        Assert.Equal(ReservationOrigin.InProcess, servedInProcess.Reservation!.Origin);
        Assert.True(settledInProcess);
        Assert.Equal(5, immediate);
        Assert.False(recoveredWhileHung);
        Assert.False(hungAfterOneProbe);
        Assert.True(hung);
        Assert.True(recovered);
        Assert.Equal(0, accounting.PendingReconciliation);
        Assert.Equal((8, 8 * 400_000L), (ledger.Requests, ledger.CostNanos));
        Assert.Equal(0, spend.ReservedNanos);
    }
}
