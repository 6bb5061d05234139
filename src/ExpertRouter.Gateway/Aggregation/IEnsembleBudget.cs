using ExpertRouter.Core.OpenAI;
using ExpertRouter.Core.Tenants;

namespace ExpertRouter.Gateway.Aggregation;

/// <summary>
/// The budget hook of a fan-out: the whole fan-out's estimated maximum is reserved before the first call, and the
/// reservation is settled with the realised cost of every call afterwards. A refusal is an expected failure.
/// </summary>
public interface IEnsembleBudget
{
    ValueTask<(EnsembleReservation? Reservation, ApiError? Refusal)> ReserveAsync(TenantPolicy tenant, double maxCostUsd, int estimatedTokens, CancellationToken cancellationToken);

    ValueTask SettleAsync(EnsembleReservation reservation, EnsembleSettlement usage, CancellationToken cancellationToken);
}

/// <summary>A granted reservation; <see cref="Handle"/> carries the budget store's own reservation for settling.</summary>
public sealed record EnsembleReservation(string TenantId, double ReservedUsd)
{
    public object? Handle { get; init; }
}

/// <summary>What the whole ensemble used: every call's tokens and realised cost, summed.</summary>
public sealed record EnsembleSettlement(string Ensemble, int Calls, long PromptTokens, long CompletionTokens, double CostUsd);
