using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Core.OpenAI;
using ExpertRouter.Core.Tenants;

namespace ExpertRouter.Gateway.Aggregation;

/// <summary>
/// The ensemble budget on the tenants' accounting store: one admission for the whole fan-out (budget and rate
/// limits, hard or soft as the policy says), settled with the summed usage of every call, or released when no call
/// cost anything.
/// </summary>
public sealed class TenantAccountingEnsembleBudget(ITenantAccounting accounting) : IEnsembleBudget
{
    public async ValueTask<(EnsembleReservation? Reservation, ApiError? Refusal)> ReserveAsync(
        TenantPolicy tenant, double maxCostUsd, int estimatedTokens, CancellationToken cancellationToken)
    {
        var admission = await accounting.TryAdmitAsync(AdmissionRequest.For(tenant, maxCostUsd, estimatedTokens), cancellationToken).ConfigureAwait(false);
        return admission.Outcome switch
        {
            AdmissionOutcome.Admitted => (new EnsembleReservation(tenant.Id, maxCostUsd) { Handle = admission.Reservation }, null),
            AdmissionOutcome.RateLimited => (null, ApiError.RateLimited(
                $"Rate limit reached for {admission.LimitedBy} per minute on tenant '{tenant.Id}'. Retry after {admission.RetryAfterSeconds} s.",
                admission.RetryAfterSeconds)),
            AdmissionOutcome.SpendUnverified => (null, AdmissionErrors.SpendUnverified(tenant.Id, admission)),
            _ => (null, ApiError.InsufficientQuota(
                $"You exceeded your current quota: tenant '{tenant.Id}' has {admission.Spend.RemainingUsd(tenant.Budget.DailyUsd, tenant.Budget.MonthlyUsd):0.######} USD left of its budget, and this ensemble may cost up to {maxCostUsd:0.######} USD.")),
        };
    }

    public async ValueTask SettleAsync(EnsembleReservation reservation, EnsembleSettlement usage, CancellationToken cancellationToken)
    {
        if (reservation.Handle is not Reservation held)
        {
            return;
        }

        if (usage.CostUsd <= 0 && usage.PromptTokens + usage.CompletionTokens == 0)
        {
            await accounting.ReleaseAsync(held, cancellationToken).ConfigureAwait(false);
            return;
        }

        await accounting.SettleAsync(held, new SettledUsage(usage.Ensemble, usage.PromptTokens, usage.CompletionTokens, usage.CostUsd), cancellationToken).ConfigureAwait(false);
    }
}
