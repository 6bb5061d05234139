using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Configuration;

namespace ExpertRouter.Gateway.Tests.Accounting;

public sealed class OutageAllowanceTests
{
    private static readonly DateTimeOffset Now = AccountingContract.Start;
    private static readonly AdmissionRequest Budgeted = AccountingContract.Request("t", 0.1, dailyUsd: 1.0, monthlyUsd: 10.0);

    [Fact]
    public void Limit_KnownSpend_BudgetCappedAtSpendPlusAllowance()
    {
        var known = new KnownSpend(new TenantSpend(400_000_000, 2_000_000_000, 0), Now.AddMinutes(-5));

        var limited = OutageAllowance.Limit(Budgeted, known, new AccountingOptions { OutageAllowanceFraction = 0.1 }, Now)!;

        Assert.Equal(0.5, limited.DailyBudgetUsd!.Value, 9);
        Assert.Equal(3.0, limited.MonthlyBudgetUsd!.Value, 9);
    }

    [Fact]
    public void Limit_KnownSpendNearBudget_NeverPastTheBudget()
    {
        var known = new KnownSpend(new TenantSpend(990_000_000, 990_000_000, 0), Now);

        var limited = OutageAllowance.Limit(Budgeted, known, new AccountingOptions { OutageAllowanceFraction = 0.5 }, Now)!;

        Assert.Equal(1.0, limited.DailyBudgetUsd!.Value, 9);
    }

    [Fact]
    public void Limit_SpendReadYesterday_TodayStartsFromZero()
    {
        var known = new KnownSpend(new TenantSpend(900_000_000, 900_000_000, 0), Now.AddDays(-1));

        var limited = OutageAllowance.Limit(Budgeted, known, new AccountingOptions(), Now)!;

        Assert.Equal(0.1, limited.DailyBudgetUsd!.Value, 9);
    }

    [Fact]
    public void Limit_UnknownSpend_RefusedByDefault_AllowanceWhenConfigured()
    {
        Assert.Null(OutageAllowance.Limit(Budgeted, null, new AccountingOptions(), Now));
        Assert.Equal(0.05, OutageAllowance.Limit(Budgeted, null, new AccountingOptions { UnknownSpendAllowanceFraction = 0.05 }, Now)!.DailyBudgetUsd!.Value, 9);
    }

    [Fact]
    public void Limit_NoHardBudget_Unchanged()
    {
        var soft = Budgeted with { EnforceBudget = false };
        var unlimited = AccountingContract.Request("t", 0.1);

        Assert.Same(soft, OutageAllowance.Limit(soft, null, new AccountingOptions(), Now));
        Assert.Same(unlimited, OutageAllowance.Limit(unlimited, null, new AccountingOptions(), Now));
    }

    [Fact]
    public void Validate_EveryBadSetting_ListedAtOnce()
    {
        var errors = new AccountingOptions
        {
            ReservationTimeout = TimeSpan.Zero,
            CommandTimeout = TimeSpan.FromMinutes(1),
            OutageAllowanceFraction = 2,
            UnknownSpendAllowanceFraction = -1,
        }.Validate().ToList();

        Assert.Equal(4, errors.Count);
        Assert.Contains("ExpertRouter:Accounting:CommandTimeout: must be between 0 and 30 seconds.", errors);
        Assert.Empty(new AccountingOptions().Validate());
    }
}
