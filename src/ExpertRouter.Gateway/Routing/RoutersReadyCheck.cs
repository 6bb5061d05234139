using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ExpertRouter.Gateway.Routing;

/// <summary>Ready when every configured router is loaded and answers; a router that cannot is a deployment error.</summary>
internal sealed class RoutersReadyCheck(RouterRegistry routers) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(routers.Names.Count > 0
            ? HealthCheckResult.Healthy($"routers: {string.Join(", ", routers.Names.Order(StringComparer.Ordinal))}")
            : HealthCheckResult.Unhealthy("no router is loaded"));
}
