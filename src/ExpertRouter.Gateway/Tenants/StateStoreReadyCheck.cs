using ExpertRouter.Gateway.Accounting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ExpertRouter.Gateway.Tenants;

/// <summary>
/// The shared state store (Redis) behind tenant accounting, judged by a PING within the accounting's command timeout:
/// answering is healthy; unreachable, hung (connected but silent past the timeout) or slow (past half of it) is
/// Degraded, not Unhealthy, because accounting then serves in-process and reconciles later, so the gateway keeps
/// serving. Without Redis configured, accounting is in-process by design and this check is healthy. The probe also
/// ends an outage it finds over, so readiness recovers without waiting for traffic.
/// </summary>
internal sealed class StateStoreReadyCheck(IServiceProvider services) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (services.GetService<ResilientTenantAccounting>() is not { } accounting)
        {
            return HealthCheckResult.Healthy("in-process accounting (no state store configured)");
        }

        await accounting.TryRecoverAsync();
        var pending = $"{accounting.PendingReconciliation} settlement(s) waiting to reconcile";
        var timeout = accounting.Options.CommandTimeout.TotalMilliseconds;
        if (accounting.IsDegraded)
        {
            return HealthCheckResult.Degraded(accounting.IsHung
                ? $"state store hung or overloaded: no answer within {timeout:0} ms; accounting in-process, {pending}"
                : $"state store unreachable: accounting in-process, {pending}");
        }

        var latency = accounting.LastProbeLatency?.TotalMilliseconds ?? 0;
        return latency > timeout / 2
            ? HealthCheckResult.Degraded($"state store slow: PING took {latency:0} ms of a {timeout:0} ms command timeout ({pending})")
            : HealthCheckResult.Healthy($"state store reachable, PING {latency:0.#} ms ({pending})");
    }
}
