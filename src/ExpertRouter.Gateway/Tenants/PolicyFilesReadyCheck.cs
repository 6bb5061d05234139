using ExpertRouter.Core.Tenants;
using ExpertRouter.Policies;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ExpertRouter.Gateway.Tenants;

/// <summary>
/// Rejected policy files on <c>/readyz</c>: Degraded, not Unhealthy, because every replica reads the same folder
/// and taking them all out of rotation for one bad file would turn a tenant's problem into everyone's outage; the
/// other tenants (and the rejected file's last good policy, if any) keep serving.
/// </summary>
internal sealed class PolicyFilesReadyCheck(ITenantDirectory tenants) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (tenants is not PolicyDirectory directory)
        {
            return Task.FromResult(HealthCheckResult.Healthy("tenants from configuration (no policy folder)"));
        }

        var rejections = directory.Rejections;
        if (rejections.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy($"{directory.Tenants.Count} tenant(s); no policy file rejected"));
        }

        var files = rejections.Select(r => $"{Path.GetFileName(r.File)} ({r.Errors[0].Message}{(r.Errors.Count > 1 ? $" and {r.Errors.Count - 1} more" : "")})");
        return Task.FromResult(HealthCheckResult.Degraded($"{rejections.Count} policy file(s) rejected: {string.Join("; ", files)}"));
    }
}
