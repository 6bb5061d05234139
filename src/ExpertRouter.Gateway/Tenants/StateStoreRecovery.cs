using ExpertRouter.Gateway.Accounting;

namespace ExpertRouter.Gateway.Tenants;

/// <summary>
/// Probes the state store every few seconds: notices a Redis that stopped answering (so requests stop waiting on it),
/// and ends an outage on its own, writing the journalled usage back, so other replicas see this one's spend even when
/// no request comes.
/// </summary>
internal sealed class StateStoreRecovery(ResilientTenantAccounting accounting, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Period = ResilientTenantAccounting.StateStoreRetryAfter;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                // Every tick, healthy or not: a Redis that stops answering keeps its connection, and only a probe
                // notices it before a request has to wait on it.
                await accounting.TryRecoverAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
