using System.Diagnostics.Metrics;

namespace ExpertRouter.Core.Tenants;

/// <summary>Instruments for tenant policies and accounting; export the meter named <see cref="MeterName"/>.</summary>
public static class TenantMetrics
{
    public const string MeterName = "ExpertRouter.Tenants";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> PolicyRejections =
        Meter.CreateCounter<long>("expertrouter.policy.rejections", description: "Policy files refused on load or reload.");

    public static readonly Counter<long> AccountingDegraded =
        Meter.CreateCounter<long>("expertrouter.accounting.degraded", description: "Accounting calls served in-process because Redis was unreachable.");

    public static readonly Counter<long> AccountingReconciled =
        Meter.CreateCounter<long>("expertrouter.accounting.reconciled", description: "Usage entries written back to Redis after an outage.");

    public static readonly Counter<long> BudgetRefusals =
        Meter.CreateCounter<long>("expertrouter.budget.refusals", description: "Requests refused for budget (insufficient_quota).");

    public static readonly Counter<long> RateLimitRefusals =
        Meter.CreateCounter<long>("expertrouter.ratelimit.refusals", description: "Requests refused by a tenant rate limit.");
}
