using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Accounting.InProcess;
using ExpertRouter.Gateway.Tests.Functional;

namespace ExpertRouter.Gateway.Tests.Ensembles;

/// <summary>An ensemble passes the same budget step as a single call: one reservation for the whole fan-out, settled with what the calls cost.</summary>
public sealed class EnsembleBudgetTests
{
    [Fact]
    public async Task Budget_ReservesWholeFanOutFirst_RefusalCallsNoExpert_GrantSettlesRealisedCost()
    {
        var accounting = new LimitedAccounting();
        await using var gateway = await GatewayBuilder.StartAsync(services: s => s.AddSingleton<ITenantAccounting>(accounting));

        accounting.LimitUsd = 0;
        using var refused = await gateway.Client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("ensemble/vote3"));
        accounting.LimitUsd = 1;
        using var granted = await gateway.Client.PostAsync("/v1/chat/completions", EnsembleGateway.Chat("ensemble/vote3"));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("insufficient_quota", await refused.Content.ReadAsStringAsync());
        Assert.False(refused.Headers.Contains("x-expertrouter-experts"));
        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        var (reserved, settled) = Assert.Single(accounting.Settled);
        Assert.Equal(2, accounting.Reserved.Count);
        Assert.Equal(accounting.Reserved.Last(), reserved, 9);
        Assert.True(reserved > 0 && settled > 0 && settled <= reserved);
        Assert.Equal(settled, double.Parse(EnsembleGateway.Header(granted, "x-expertrouter-cost-usd"), CultureInfo.InvariantCulture), 8);
        Assert.Equal(reserved, double.Parse(EnsembleGateway.Header(granted, "x-expertrouter-reserved-usd"), CultureInfo.InvariantCulture), 8);
    }

    /// <summary>In-process accounting that admits only under <see cref="LimitUsd"/>, and records what was reserved and settled.</summary>
    private sealed class LimitedAccounting : ITenantAccounting
    {
        private readonly InProcessTenantAccounting _inner = new(TimeProvider.System);

        public double LimitUsd { get; set; }

        public ConcurrentQueue<double> Reserved { get; } = new();

        public ConcurrentQueue<(double Reserved, double Settled)> Settled { get; } = new();

        public ValueTask<Admission> TryAdmitAsync(AdmissionRequest request, CancellationToken cancellationToken = default)
        {
            Reserved.Enqueue(request.MaxCostUsd);
            return request.MaxCostUsd > LimitUsd
                ? ValueTask.FromResult(new Admission(AdmissionOutcome.BudgetExhausted, null, TenantSpend.None))
                : _inner.TryAdmitAsync(request, cancellationToken);
        }

        public ValueTask SettleAsync(Reservation reservation, SettledUsage usage, CancellationToken cancellationToken = default)
        {
            Assert.Equal("ensemble/vote3", usage.Expert);
            Settled.Enqueue((reservation.AmountUsd, usage.CostUsd));
            return _inner.SettleAsync(reservation, usage, cancellationToken);
        }

        public ValueTask ReleaseAsync(Reservation reservation, CancellationToken cancellationToken = default) => _inner.ReleaseAsync(reservation, cancellationToken);

        public ValueTask RecordCacheHitAsync(string tenantId, CacheSaving saving, CancellationToken cancellationToken = default) =>
            _inner.RecordCacheHitAsync(tenantId, saving, cancellationToken);
    }
}
