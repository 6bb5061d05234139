using ExpertRouter.Gateway.Accounting;

namespace ExpertRouter.Gateway.Tenants;

/// <summary>
/// Ends a state-store outage on its own: while accounting runs in-process, it checks every few seconds whether Redis
/// is back and writes the journalled usage there, so other replicas see this one's spend even when no request comes.
/// </summary>
internal sealed class StateStoreRecovery(ResilientTenantAccounting accounting, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (accounting.IsDegraded || accounting.PendingReconciliation > 0)
                {
                    await accounting.TryRecoverAsync();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
