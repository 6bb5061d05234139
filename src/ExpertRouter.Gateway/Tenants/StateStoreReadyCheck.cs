using ExpertRouter.Gateway.Accounting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ExpertRouter.Gateway.Tenants;

/// <summary>
/// The shared state store (Redis) behind tenant accounting: reachable is healthy; unreachable is Degraded, not
/// Unhealthy, because accounting then serves in-process and reconciles later, so the gateway keeps serving.
/// Without Redis configured, accounting is in-process by design and this check is healthy. A degraded check first
/// tries to end the outage itself, so readiness recovers without waiting for traffic.
/// </summary>
internal sealed class StateStoreReadyCheck(IServiceProvider services) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var accounting = services.GetService<ResilientTenantAccounting>();
        if (accounting is not null)
        {
            await accounting.TryRecoverAsync();
        }

        return accounting switch
        {
            null => HealthCheckResult.Healthy("in-process accounting (no state store configured)"),
            { IsDegraded: true } => HealthCheckResult.Degraded(
                $"state store unreachable: accounting in-process, {accounting.PendingReconciliation} settlement(s) waiting to reconcile"),
            _ => HealthCheckResult.Healthy($"state store reachable ({accounting.PendingReconciliation} settlement(s) waiting to reconcile)"),
        };
    }
}
