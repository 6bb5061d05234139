using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using ExpertRouter.Core.OpenAI;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Aggregation;
using ExpertRouter.Gateway.Tests.Functional;

namespace ExpertRouter.Gateway.Tests.Aggregation;

public sealed class EnsembleBudgetTests
{
    [Fact]
    public async Task Budget_ReservesWholeFanOutFirst_RefusalCallsNoExpert_GrantSettlesRealisedCost()
    {
        var budget = new LimitedBudget();
        await using var gateway = await GatewayHost.StartAsync(services: s => s.AddSingleton<IEnsembleBudget>(budget));

        budget.LimitUsd = 0;
        using var refused = await gateway.Client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("ensemble/vote3"));
        budget.LimitUsd = 1;
        using var granted = await gateway.Client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("ensemble/vote3"));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("insufficient_quota", await refused.Content.ReadAsStringAsync());
        Assert.False(refused.Headers.Contains("x-expertrouter-experts"));
        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        var (reserved, settled) = Assert.Single(budget.Settled);
        Assert.Equal(2, budget.Reserved.Count);
        Assert.Equal(budget.Reserved.Last(), reserved);
        Assert.True(reserved > 0 && settled > 0 && settled <= reserved);
        Assert.Equal(settled, double.Parse(EnsembleGateway.Header(granted, "x-expertrouter-cost-usd"), CultureInfo.InvariantCulture), 8);
    }

    /// <summary>Grants a reservation only under <see cref="LimitUsd"/>, and records what was reserved and settled.</summary>
    private sealed class LimitedBudget : IEnsembleBudget
    {
        public double LimitUsd { get; set; }

        public ConcurrentQueue<double> Reserved { get; } = new();

        public ConcurrentQueue<(double Reserved, double Settled)> Settled { get; } = new();

        public ValueTask<(EnsembleReservation? Reservation, ApiError? Refusal)> ReserveAsync(TenantPolicy tenant, double maxCostUsd, int estimatedTokens, CancellationToken cancellationToken)
        {
            Reserved.Enqueue(maxCostUsd);
            return ValueTask.FromResult<(EnsembleReservation?, ApiError?)>(maxCostUsd > LimitUsd
                ? (null, ApiError.InsufficientQuota($"The fan-out may cost ${maxCostUsd:F6}; the budget allows ${LimitUsd:F6}."))
                : (new EnsembleReservation(tenant.Id, maxCostUsd), null));
        }

        public ValueTask SettleAsync(EnsembleReservation reservation, EnsembleSettlement usage, CancellationToken cancellationToken)
        {
            Assert.Equal(("ensemble/vote3", 3), (usage.Ensemble, usage.Calls));
            Settled.Enqueue((reservation.ReservedUsd, usage.CostUsd));
            return ValueTask.CompletedTask;
        }
    }
}
