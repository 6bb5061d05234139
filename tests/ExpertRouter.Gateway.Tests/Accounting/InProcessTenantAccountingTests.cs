using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Accounting.InProcess;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Gateway.Tests.Accounting;

public sealed class InProcessTenantAccountingTests
{
    private static InProcessTenantAccounting Create(TimeProvider time) => new InProcessTenantAccounting(time);

    [Fact]
    public Task TryAdmit_ReservationsOutstanding_CountAgainstBudgetUntilReleased() => AccountingContract.ReservationsCountAgainstBudgetUntilReleased(Create);

    [Fact]
    public Task Settle_ActualBelowReserved_RecordsActualAndFreesTheRest() => AccountingContract.SettleRecordsActualCostAndFreesTheRest(Create);

    [Fact]
    public Task Settle_CalledTwice_CountsOnce() => AccountingContract.SettlingTwiceCountsOnce(Create);

    [Fact]
    public Task TryAdmit_NextUtcDay_DailyResetsMonthlyCarriesOver() => AccountingContract.DailyBudgetResetsAtUtcMidnightButMonthlyCarriesOver(Create);

    [Fact]
    public Task TryAdmit_SoftBudget_NeverRefusesButCounts() => AccountingContract.SoftBudgetNeverRefusesButStillCounts(Create);

    [Fact]
    public Task TryAdmit_ReservationNeverSettled_ExpiresAfterTimeout() => AccountingContract.AbandonedReservationExpires(Create);

    [Fact]
    public Task TryAdmit_RequestsPerMinuteExceeded_RetryAfterWindowEnd() => AccountingContract.RequestsPerMinuteLimitedWithRetryAfterToWindowEnd(Create);

    [Fact]
    public Task TryAdmit_TokensPerMinute_CorrectedByActualUsage() => AccountingContract.TokensPerMinuteCorrectedByActualUsage(Create);

    [Fact]
    public Task GetLedger_SeveralExpertsAndDays_GroupsByExpertAndDay() => AccountingContract.LedgerGroupsByExpertAndDay(Create);

    [Fact]
    public Task RecordCacheHit_TwoExpertsAndDays_CostsNothingAndLedgerCountsHitsAndSaving() => AccountingContract.CacheHitCostsNothingAndLedgerRecordsTheSaving(Create);

    [Fact]
    public Task TryAdmit_200ConcurrentAgainstSmallBudget_NeverOverspends() =>
        AccountingContract.ConcurrentRequestsNeverOverspend([Create(new FakeTimeProvider(AccountingContract.Start))]);
}
