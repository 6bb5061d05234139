using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Gateway.Tests.Accounting;

/// <summary>
/// The behaviour every <see cref="ITenantAccounting"/> must show. Each store's test class runs every method here, so
/// the in-process and Redis implementations are held to the same contract.
/// </summary>
public static class AccountingContract
{
    // Mid-minute, so a rate window has 30 s left.
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 12, 0, 30, TimeSpan.Zero);

    public static string NewTenant() => "t-" + Guid.NewGuid().ToString("N")[..12];

    public static AdmissionRequest Request(string tenant, double maxCostUsd, double? dailyUsd = null, double? monthlyUsd = null) => new()
    {
        TenantId = tenant,
        MaxCostUsd = maxCostUsd,
        DailyBudgetUsd = dailyUsd,
        MonthlyBudgetUsd = monthlyUsd,
    };

    public static async Task ReservationsCountAgainstBudgetUntilReleased<TAccounting>(Func<TimeProvider, TAccounting> create)
        where TAccounting : ITenantAccounting, ITenantLedger
    {
        var store = create(new FakeTimeProvider(Start));
        var tenant = NewTenant();

        var first = await store.TryAdmitAsync(Request(tenant, 0.6, dailyUsd: 1.0));
        var second = await store.TryAdmitAsync(Request(tenant, 0.6, dailyUsd: 1.0));
        await store.ReleaseAsync(first.Reservation!);
        var third = await store.TryAdmitAsync(Request(tenant, 0.6, dailyUsd: 1.0));

        Assert.Equal(AdmissionOutcome.Admitted, first.Outcome);
        Assert.Equal(AdmissionOutcome.BudgetExhausted, second.Outcome);
        Assert.Null(second.Reservation);
        Assert.Equal(AdmissionOutcome.Admitted, third.Outcome);
        Assert.Equal(0.6, (await store.GetSpendAsync(tenant)).ReservedUsd, 9);
    }

    public static async Task SettleRecordsActualCostAndFreesTheRest<TAccounting>(Func<TimeProvider, TAccounting> create)
        where TAccounting : ITenantAccounting, ITenantLedger
    {
        var store = create(new FakeTimeProvider(Start));
        var tenant = NewTenant();

        var admitted = await store.TryAdmitAsync(Request(tenant, 0.6, dailyUsd: 1.0));
        await store.SettleAsync(admitted.Reservation!, new SettledUsage("small", 100, 50, 0.25));
        var next = await store.TryAdmitAsync(Request(tenant, 0.7, dailyUsd: 1.0));
        var spend = await store.GetSpendAsync(tenant);

        Assert.Equal(AdmissionOutcome.Admitted, next.Outcome);
        Assert.Equal(250_000_000, spend.SpentTodayNanos);
        Assert.Equal(250_000_000, spend.SpentThisMonthNanos);
        Assert.Equal(700_000_000, spend.ReservedNanos);
    }

    public static async Task SettlingTwiceCountsOnce<TAccounting>(Func<TimeProvider, TAccounting> create)
        where TAccounting : ITenantAccounting, ITenantLedger
    {
        var store = create(new FakeTimeProvider(Start));
        var tenant = NewTenant();

        var admitted = await store.TryAdmitAsync(Request(tenant, 0.1));
        await store.SettleAsync(admitted.Reservation!, new SettledUsage("small", 10, 10, 0.05));
        await store.SettleAsync(admitted.Reservation!, new SettledUsage("small", 10, 10, 0.05));
        await store.ReleaseAsync(admitted.Reservation!);

        var spend = await store.GetSpendAsync(tenant);
        Assert.Equal(50_000_000, spend.SpentTodayNanos);
        Assert.Equal(0, spend.ReservedNanos);
    }

    public static async Task DailyBudgetResetsAtUtcMidnightButMonthlyCarriesOver<TAccounting>(Func<TimeProvider, TAccounting> create)
        where TAccounting : ITenantAccounting, ITenantLedger
    {
        var time = new FakeTimeProvider(Start);
        var store = create(time);
        var tenant = NewTenant();

        var admitted = await store.TryAdmitAsync(Request(tenant, 0.9, dailyUsd: 1.0, monthlyUsd: 1.5));
        await store.SettleAsync(admitted.Reservation!, new SettledUsage("small", 1, 1, 0.9));
        var sameDay = await store.TryAdmitAsync(Request(tenant, 0.2, dailyUsd: 1.0, monthlyUsd: 1.5));
        time.Advance(TimeSpan.FromDays(1));
        var nextDay = await store.TryAdmitAsync(Request(tenant, 0.5, dailyUsd: 1.0, monthlyUsd: 1.5));
        var overMonth = await store.TryAdmitAsync(Request(tenant, 0.2, dailyUsd: 1.0, monthlyUsd: 1.5));

        Assert.Equal(AdmissionOutcome.BudgetExhausted, sameDay.Outcome);
        Assert.Equal(AdmissionOutcome.Admitted, nextDay.Outcome);
        Assert.Equal(0, nextDay.Spend.SpentTodayNanos);
        Assert.Equal(900_000_000, nextDay.Spend.SpentThisMonthNanos);
        Assert.Equal(AdmissionOutcome.BudgetExhausted, overMonth.Outcome);
    }

    public static async Task SoftBudgetNeverRefusesButStillCounts<TAccounting>(Func<TimeProvider, TAccounting> create)
        where TAccounting : ITenantAccounting, ITenantLedger
    {
        var store = create(new FakeTimeProvider(Start));
        var tenant = NewTenant();
        var soft = Request(tenant, 0.8, dailyUsd: 1.0) with { EnforceBudget = false };

        for (var i = 0; i < 3; i++)
        {
            var admitted = await store.TryAdmitAsync(soft);
            Assert.Equal(AdmissionOutcome.Admitted, admitted.Outcome);
            await store.SettleAsync(admitted.Reservation!, new SettledUsage("small", 1, 1, 0.8));
        }

        var spend = await store.GetSpendAsync(tenant);
        Assert.Equal(2_400_000_000, spend.SpentTodayNanos);
        Assert.Equal(0, spend.RemainingUsd(1.0, null));
    }

    public static async Task AbandonedReservationExpires<TAccounting>(Func<TimeProvider, TAccounting> create)
        where TAccounting : ITenantAccounting, ITenantLedger
    {
        var time = new FakeTimeProvider(Start);
        var store = create(time);
        var tenant = NewTenant();

        await store.TryAdmitAsync(Request(tenant, 0.9, dailyUsd: 1.0));
        var blocked = await store.TryAdmitAsync(Request(tenant, 0.9, dailyUsd: 1.0));
        time.Advance(new AccountingOptions().ReservationTimeout + TimeSpan.FromSeconds(1));
        var afterTimeout = await store.TryAdmitAsync(Request(tenant, 0.9, dailyUsd: 1.0));

        Assert.Equal(AdmissionOutcome.BudgetExhausted, blocked.Outcome);
        Assert.Equal(AdmissionOutcome.Admitted, afterTimeout.Outcome);
    }

    public static async Task RequestsPerMinuteLimitedWithRetryAfterToWindowEnd<TAccounting>(Func<TimeProvider, TAccounting> create)
        where TAccounting : ITenantAccounting, ITenantLedger
    {
        var time = new FakeTimeProvider(Start);
        var store = create(time);
        var tenant = NewTenant();
        var request = Request(tenant, 0.001) with { RequestsPerMinute = 3 };

        var outcomes = new List<AdmissionOutcome>();
        for (var i = 0; i < 3; i++)
        {
            outcomes.Add((await store.TryAdmitAsync(request)).Outcome);
        }

        var limited = await store.TryAdmitAsync(request);
        time.Advance(TimeSpan.FromSeconds(30));
        var nextWindow = await store.TryAdmitAsync(request);

        Assert.All(outcomes, o => Assert.Equal(AdmissionOutcome.Admitted, o));
        Assert.Equal(AdmissionOutcome.RateLimited, limited.Outcome);
        Assert.Equal("requests", limited.LimitedBy);
        Assert.Equal(30, limited.RetryAfterSeconds);
        Assert.Equal(AdmissionOutcome.Admitted, nextWindow.Outcome);
    }

    public static async Task TokensPerMinuteCorrectedByActualUsage<TAccounting>(Func<TimeProvider, TAccounting> create)
        where TAccounting : ITenantAccounting, ITenantLedger
    {
        var store = create(new FakeTimeProvider(Start));
        var tenant = NewTenant();
        var request = Request(tenant, 0.001) with { TokensPerMinute = 1000, EstimatedTokens = 400 };

        var first = await store.TryAdmitAsync(request);
        var second = await store.TryAdmitAsync(request);
        var third = await store.TryAdmitAsync(request);
        // The first two used 100 tokens each instead of 400: 200 of 1000 used, so 400 more fit again.
        await store.SettleAsync(first.Reservation!, new SettledUsage("small", 60, 40, 0.0001));
        await store.SettleAsync(second.Reservation!, new SettledUsage("small", 60, 40, 0.0001));
        var fourth = await store.TryAdmitAsync(request);

        Assert.Equal(AdmissionOutcome.Admitted, second.Outcome);
        Assert.Equal(AdmissionOutcome.RateLimited, third.Outcome);
        Assert.Equal("tokens", third.LimitedBy);
        Assert.Equal(AdmissionOutcome.Admitted, fourth.Outcome);
    }

    public static async Task LedgerGroupsByExpertAndDay<TAccounting>(Func<TimeProvider, TAccounting> create)
        where TAccounting : ITenantAccounting, ITenantLedger
    {
        var time = new FakeTimeProvider(Start);
        var store = create(time);
        var tenant = NewTenant();

        await Spend(store, tenant, new SettledUsage("small", 100, 20, 0.001));
        await Spend(store, tenant, new SettledUsage("small", 50, 10, 0.002));
        await Spend(store, tenant, new SettledUsage("large", 10, 5, 0.5));
        time.Advance(TimeSpan.FromDays(1));
        await Spend(store, tenant, new SettledUsage("large", 1, 1, 0.25));

        var ledger = await store.GetLedgerAsync(tenant, DateOnly.FromDateTime(Start.UtcDateTime), DateOnly.FromDateTime(Start.UtcDateTime).AddDays(1));

        var day1 = DateOnly.FromDateTime(Start.UtcDateTime);
        Assert.Equal(
            [
                new LedgerEntry(day1, "large", 1, 10, 5, 500_000_000),
                new LedgerEntry(day1, "small", 2, 150, 30, 3_000_000),
                new LedgerEntry(day1.AddDays(1), "large", 1, 1, 1, 250_000_000),
            ],
            ledger.OrderBy(e => e.Day).ThenBy(e => e.Expert, StringComparer.Ordinal));
    }

    public static async Task CacheHitCostsNothingAndLedgerRecordsTheSaving<TAccounting>(Func<TimeProvider, TAccounting> create)
        where TAccounting : ITenantAccounting, ITenantLedger
    {
        var time = new FakeTimeProvider(Start);
        var store = create(time);
        var tenant = NewTenant();
        var other = NewTenant();
        var day1 = DateOnly.FromDateTime(Start.UtcDateTime);

        await Spend(store, tenant, new SettledUsage("large", 10, 5, 0.5));
        await store.RecordCacheHitAsync(tenant, new CacheSaving("large", 10, 5, 0.5));
        await store.RecordCacheHitAsync(tenant, new CacheSaving("large", 10, 5, 0.5));
        await store.RecordCacheHitAsync(tenant, new CacheSaving("small", 100, 20, 0.001));
        time.Advance(TimeSpan.FromDays(1));
        await store.RecordCacheHitAsync(tenant, new CacheSaving("small", 100, 20, 0.001));

        var spend = await store.GetSpendAsync(tenant);
        var ledger = await store.GetLedgerAsync(tenant, day1, day1.AddDays(1));

        Assert.Equal(0, spend.SpentTodayNanos);
        Assert.Equal(500_000_000, spend.SpentThisMonthNanos);
        Assert.Equal(0, spend.ReservedNanos);
        Assert.Equal(
            [
                new LedgerEntry(day1, "large", 1, 10, 5, 500_000_000, CacheHits: 2, SavedNanos: 1_000_000_000),
                new LedgerEntry(day1, "small", 0, 0, 0, 0, CacheHits: 1, SavedNanos: 1_000_000),
                new LedgerEntry(day1.AddDays(1), "small", 0, 0, 0, 0, CacheHits: 1, SavedNanos: 1_000_000),
            ],
            ledger.OrderBy(e => e.Day).ThenBy(e => e.Expert, StringComparer.Ordinal));
        Assert.Empty(await store.GetLedgerAsync(other, day1, day1.AddDays(1)));
    }

    /// <summary>
    /// Many requests race for a small budget across <paramref name="replicas"/> stores sharing one state: spend
    /// never passes the budget by more than one request's cost, and the ledger adds up to exactly what was settled.
    /// </summary>
    public static async Task ConcurrentRequestsNeverOverspend<TAccounting>(IReadOnlyList<TAccounting> replicas, int requests = 200)
        where TAccounting : ITenantAccounting, ITenantLedger
    {
        var tenant = NewTenant();
        const double budget = 0.05;
        const double maxCost = 0.002;
        var random = new Random(42);
        var costs = Enumerable.Range(0, requests).Select(_ => Math.Round(maxCost * (0.3 + 0.7 * random.NextDouble()), 9)).ToArray();
        var settled = new long[requests];
        using var start = new ManualResetEventSlim();
        // Each replica learns the tenant's state once before the rush. The in-process test server (Garnet) does not
        // run the epoch's first GET-then-SET as one atomic script under concurrent first calls, which Redis does
        // (checked against redis-server); the rush below is about budgets, not about that start.
        foreach (var replica in replicas)
        {
            await replica.GetSpendAsync(tenant);
        }

        var tasks = Enumerable.Range(0, requests).Select(i => Task.Run(async () =>
        {
            start.Wait();
            var store = replicas[i % replicas.Count];
            var admission = await store.TryAdmitAsync(Request(tenant, maxCost, dailyUsd: budget));
            if (admission.Reservation is { } reservation)
            {
                var usage = new SettledUsage(i % 2 == 0 ? "small" : "large", 100, 50, costs[i]);
                await store.SettleAsync(reservation, usage);
                settled[i] = usage.CostNanos;
            }
        })).ToArray();
        start.Set();
        await Task.WhenAll(tasks);

        var spend = await replicas[0].GetSpendAsync(tenant);
        var ledger = await replicas[0].GetLedgerAsync(tenant, DateOnly.FromDateTime(Start.UtcDateTime), DateOnly.FromDateTime(Start.UtcDateTime));
        var admittedCount = settled.Count(c => c > 0);

        Assert.InRange(spend.SpentTodayNanos, 0, UsdNanos.FromBudget(budget)!.Value + UsdNanos.FromUsdCeiling(maxCost));
        Assert.Equal(settled.Sum(), spend.SpentTodayNanos);
        Assert.Equal(settled.Sum(), ledger.Sum(e => e.CostNanos));
        Assert.Equal(admittedCount, ledger.Sum(e => e.Requests));
        Assert.Equal(0, spend.ReservedNanos);
        // The budget really was the constraint: some were refused, and only once it was fully reserved.
        Assert.InRange(admittedCount, (int)(budget / maxCost), requests - 1);
    }

    private static async Task Spend(ITenantAccounting store, string tenant, SettledUsage usage)
    {
        var admission = await store.TryAdmitAsync(Request(tenant, usage.CostUsd));
        await store.SettleAsync(admission.Reservation!, usage);
    }
}
