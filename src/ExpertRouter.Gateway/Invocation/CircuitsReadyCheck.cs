using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ExpertRouter.Gateway.Invocation;

/// <summary>
/// Open circuits degrade readiness but never fail it: the gateway still serves through the other experts, and a
/// load balancer pulling it out of rotation would turn one broken expert into a full outage.
/// </summary>
internal sealed class CircuitsReadyCheck(ExpertCircuits circuits) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var notClosed = circuits.States().Where(s => s.State != CircuitState.Closed).Select(s => $"{s.Expert}={s.State}").ToArray();
        return Task.FromResult(notClosed.Length == 0
            ? HealthCheckResult.Healthy("all circuits closed")
            : HealthCheckResult.Degraded($"circuits not closed: {string.Join(", ", notClosed)}"));
    }
}
