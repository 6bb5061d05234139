using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Accounting.Redis;
using ExpertRouter.Testing;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Tests.Accounting;

/// <summary>The accounting contract against a real RESP server (see <see cref="RedisTestServer"/>).</summary>
public sealed class RedisTenantAccountingTests
{
    private static readonly Lazy<ConnectionMultiplexer> Connection = new(() => RedisTestServer.Shared!.Connect());

    private static RedisTenantAccounting Create(TimeProvider time) => new RedisTenantAccounting(Connection.Value, time);

    [RedisFact]
    public Task TryAdmit_ReservationsOutstanding_CountAgainstBudgetUntilReleased() => AccountingContract.ReservationsCountAgainstBudgetUntilReleased(Create);

    [RedisFact]
    public Task Settle_ActualBelowReserved_RecordsActualAndFreesTheRest() => AccountingContract.SettleRecordsActualCostAndFreesTheRest(Create);

    [RedisFact]
    public Task Settle_CalledTwice_CountsOnce() => AccountingContract.SettlingTwiceCountsOnce(Create);

    [RedisFact]
    public Task TryAdmit_NextUtcDay_DailyResetsMonthlyCarriesOver() => AccountingContract.DailyBudgetResetsAtUtcMidnightButMonthlyCarriesOver(Create);

    [RedisFact]
    public Task TryAdmit_SoftBudget_NeverRefusesButCounts() => AccountingContract.SoftBudgetNeverRefusesButStillCounts(Create);

    [RedisFact]
    public Task TryAdmit_ReservationNeverSettled_ExpiresAfterTimeout() => AccountingContract.AbandonedReservationExpires(Create);

    [RedisFact]
    public Task TryAdmit_RequestsPerMinuteExceeded_RetryAfterWindowEnd() => AccountingContract.RequestsPerMinuteLimitedWithRetryAfterToWindowEnd(Create);

    [RedisFact]
    public Task TryAdmit_TokensPerMinute_CorrectedByActualUsage() => AccountingContract.TokensPerMinuteCorrectedByActualUsage(Create);

    [RedisFact]
    public Task GetLedger_SeveralExpertsAndDays_GroupsByExpertAndDay() => AccountingContract.LedgerGroupsByExpertAndDay(Create);

    [RedisFact]
    public Task RecordCacheHit_TwoExpertsAndDays_CostsNothingAndLedgerCountsHitsAndSaving() => AccountingContract.CacheHitCostsNothingAndLedgerRecordsTheSaving(Create);

    [RedisFact]
    public async Task TryAdmit_200ConcurrentAcrossThreeReplicas_NeverOverspends()
    {
        // Three replicas: separate connections and clocks, one server.
        var connections = Enumerable.Range(0, 3).Select(_ => RedisTestServer.Shared!.Connect()).ToList();
        try
        {
            var replicas = connections.Select(c => new RedisTenantAccounting(c, new FakeTimeProvider(AccountingContract.Start))).ToList();
            await AccountingContract.ConcurrentRequestsNeverOverspend(replicas);
        }
        finally
        {
            connections.ForEach(c => c.Dispose());
        }
    }

    [RedisFact]
    public async Task Keys_OfOneTenant_ShareOneClusterHashSlot()
    {
        var tenant = AccountingContract.NewTenant();
        var store = Create(new FakeTimeProvider(AccountingContract.Start));
        var admission = await store.TryAdmitAsync(AccountingContract.Request(tenant, 0.01) with { RequestsPerMinute = 10, TokensPerMinute = 1000, EstimatedTokens = 5 });
        await store.SettleAsync(admission.Reservation!, new SettledUsage("small", 1, 1, 0.001));

        var server = Connection.Value.GetServers()[0];
        var keys = server.Keys(pattern: "er:{" + tenant + "}:*").ToList();

        Assert.True(keys.Count >= 6, string.Join(", ", keys));
        Assert.All(keys, k => Assert.Equal(tenant, ClusterHashTag.Of(k!)));
    }
}
