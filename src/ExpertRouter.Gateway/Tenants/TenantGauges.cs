using System.Diagnostics.Metrics;
using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Policies;

namespace ExpertRouter.Gateway.Tenants;

/// <summary>
/// Current state as gauges beside <see cref="TenantMetrics"/>' counters: how many policy files are rejected right
/// now (their tenants run on the last good policy) and whether accounting is degraded to in-process.
/// </summary>
public sealed class TenantGauges
{
    public TenantGauges(IMeterFactory meterFactory, ITenantDirectory tenants, ITenantAccounting accounting)
    {
        var meter = meterFactory.Create(TenantMetrics.MeterName);
        meter.CreateObservableGauge(
            "expertrouter.policy.rejected_files",
            () => tenants is PolicyDirectory directory ? directory.Rejections.Count : 0,
            description: "Policy files whose latest content is rejected; their tenants keep the last good policy.");
        meter.CreateObservableGauge(
            "expertrouter.accounting.degraded_mode",
            () => accounting is ResilientTenantAccounting { IsDegraded: true } ? 1 : 0,
            description: "1 while Redis is unreachable and accounting runs on in-process counters.");
        meter.CreateObservableGauge(
            "expertrouter.accounting.pending_reconciliation",
            () => accounting is ResilientTenantAccounting resilient ? resilient.PendingReconciliation : 0,
            description: "Usage entries recorded in-process during an outage, waiting to be written back to Redis.");
    }
}
