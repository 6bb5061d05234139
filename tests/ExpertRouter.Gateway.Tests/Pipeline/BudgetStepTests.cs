using ExpertRouter.Core.Ensembles;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Accounting.InProcess;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Experts;
using ExpertRouter.Gateway.Pipeline;
using ExpertRouter.Gateway.Routing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ExpertRouter.Gateway.Tests.Pipeline;

/// <summary>The budget step on its own: it narrows the plan to what the tenant may spend, reserves, and settles what the next step reports.</summary>
public sealed class BudgetStepTests
{
    private const string Question = """{"model":"auto","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}""";
    private static readonly ExpertDefinition Cheap = new() { Id = "cheap", InputUsdPerMTok = 1, OutputUsdPerMTok = 1 };
    private static readonly ExpertDefinition Dear = new() { Id = "dear", InputUsdPerMTok = 100, OutputUsdPerMTok = 100 };

    private readonly InProcessTenantAccounting _accounting = new(TimeProvider.System);
    private Func<HttpContext, Task> _next = _ => Task.CompletedTask;

    private BudgetStep Step() => new(
        context => _next(context), _accounting, _accounting, new ExpertCatalog([Cheap, Dear]), Options.Create(new GatewayOptions()), NullLogger<BudgetStep>.Instance);

    [Fact]
    public async Task PerRequestCap_NarrowsThePlan_ToExpertsWithinIt()
    {
        var tenant = new TenantPolicy { Id = "t", MaxCostPerRequestUsd = 0.001 };
        var context = StepContext.For(tenant, Question, Dear, Cheap);
        RoutingPlan? seen = null;
        _next = c => { seen = c.Feature().Plan; return Task.CompletedTask; };

        await Step().InvokeAsync(context);

        Assert.Equal(["cheap"], seen!.Fallbacks.Select(s => s.Expert.Id));
        Assert.Contains(new PassedOver("dear", PassReason.OverCostCap), seen.PassedOver);
    }

    [Fact]
    public async Task PerRequestCap_ANamedExpertOverIt_IsRefused()
    {
        var tenant = new TenantPolicy { Id = "t", MaxCostPerRequestUsd = 0.001 };
        var plan = StepContext.Plan(RoutingPlan.DirectRouter, Dear, Cheap);
        var context = StepContext.For(tenant, Question, plan);

        await Step().InvokeAsync(context);

        Assert.Equal(400, context.Response.StatusCode);
        Assert.Contains("request_cost_cap_exceeded", context.Body());
    }

    [Fact]
    public async Task SpentBudget_Is429_AndReservesNothing()
    {
        var tenant = new TenantPolicy { Id = "t", Budget = new BudgetPolicy { DailyUsd = 0.00001 } };
        var context = StepContext.For(tenant, Question, Cheap);

        await Step().InvokeAsync(context);

        Assert.Equal(429, context.Response.StatusCode);
        Assert.Contains("insufficient_quota", context.Body());
        Assert.Equal(TenantSpend.None, await _accounting.GetSpendAsync("t"));
    }

    [Fact]
    public async Task NearTheEndOfTheBudget_KeepsOnlyTheExpertsThatStillFit()
    {
        var tenant = new TenantPolicy { Id = "t", Budget = new BudgetPolicy { DailyUsd = 0.001 } };
        var context = StepContext.For(tenant, Question, Dear, Cheap);
        RoutingPlan? seen = null;
        _next = c => { seen = c.Feature().Plan; return Task.CompletedTask; };

        await Step().InvokeAsync(context);

        Assert.Equal(["cheap"], seen!.Fallbacks.Select(s => s.Expert.Id));
        Assert.Contains(new PassedOver("dear", PassReason.OverBudget), seen.PassedOver);
    }

    [Fact]
    public async Task WhatTheNextStepReports_IsSettled()
    {
        var tenant = new TenantPolicy { Id = "t" };
        var context = StepContext.For(tenant, Question, Cheap);
        _next = c =>
        {
            Assert.True((_accounting.GetSpendAsync("t").AsTask().Result).ReservedNanos > 0);
            c.Feature().Outcome.Usage = new SettledUsage("cheap", 10, 20, Cheap.CostUsd(10, 20));
            return Task.CompletedTask;
        };

        await Step().InvokeAsync(context);

        var spend = await _accounting.GetSpendAsync("t");
        Assert.Equal((UsdNanos.FromUsdRounded(Cheap.CostUsd(10, 20)), 0L), (spend.SpentTodayNanos, spend.ReservedNanos));
    }

    [Fact]
    public async Task NothingServed_ReleasesTheReservation_EvenWhenTheNextStepThrows()
    {
        var context = StepContext.For(new TenantPolicy { Id = "t" }, Question, Cheap);
        _next = _ => throw new InvalidOperationException("boom");

        await Assert.ThrowsAsync<InvalidOperationException>(() => Step().InvokeAsync(context));

        Assert.Equal(TenantSpend.None, await _accounting.GetSpendAsync("t"));
    }

    [Fact]
    public async Task Ensemble_ReservesTheWholeFanOut()
    {
        var plan = StepContext.Plan("cheapest", Cheap, Dear) with { Ensemble = new PlannedEnsemble("vote2", new EnsembleOptions { Mode = EnsembleMode.Vote, Size = 2 }) };
        var context = StepContext.For(new TenantPolicy { Id = "t" }, Question, plan);
        long reserved = 0;
        _next = c => { reserved = _accounting.GetSpendAsync("t").AsTask().Result.ReservedNanos; return Task.CompletedTask; };

        await Step().InvokeAsync(context);

        var prompt = context.Feature().Request!.PromptTokens;
        var expected = UsdNanos.FromUsdRounded(Cheap.CostUsd(prompt, Cheap.ExpectedOutputTokens) + Dear.CostUsd(prompt, Dear.ExpectedOutputTokens));
        Assert.InRange(reserved, expected - 2, expected + 2);
    }
}
