using ExpertRouter.Core.OpenAI;
using ExpertRouter.Core.Routing;
using ExpertRouter.Core.Telemetry;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Ensembles;
using ExpertRouter.Gateway.Experts;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Routing;
using Microsoft.Extensions.Options;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>
/// Between the plan and the experts: narrows the plan to the experts within the tenant's per-request cap (or a spent
/// soft budget's downgrade experts), then admits the request against its rate limits and budget by reserving its
/// worst case: over every expert a forwarded request may still reach, or over everything an ensemble may call. What
/// was really used is settled afterwards from <see cref="RequestOutcome.Usage"/>, or the reservation released when
/// nothing was served.
/// </summary>
internal sealed partial class BudgetStep(
    RequestDelegate next, ITenantAccounting accounting, ITenantLedger ledger, ExpertCatalog catalog, IOptions<GatewayOptions> options, ILogger<BudgetStep> logger)
{
    private readonly int _defaultMaxOutput = options.Value.DefaultMaxOutputTokens;
    private readonly int _maxFallbacks = options.Value.MaxFallbacks;

    public async Task InvokeAsync(HttpContext context)
    {
        var feature = context.Features.GetRequiredFeature<IExpertRoutingFeature>();
        var (admission, error) = feature.Plan!.Ensemble is { } ensemble
            ? await AdmitEnsembleAsync(context, feature, ensemble)
            : await AdmitForwardAsync(context, feature);
        if (error is not null)
        {
            Log.Refused(logger, feature.RequestId, feature.Tenant.Id, error.Code ?? error.Type);
            await ApiErrorWriter.WriteAsync(context, error);
            return;
        }

        var outcome = feature.Outcome;
        var reservation = outcome.Reservation = admission!.Reservation!;
        try
        {
            await next(context);
        }
        finally
        {
            if (outcome.Usage is { } usage)
            {
                await accounting.SettleAsync(reservation, usage, CancellationToken.None);
            }
            else
            {
                await accounting.ReleaseAsync(reservation, CancellationToken.None);
            }
        }
    }

    // ValueTask and no lambda over this method's locals: both would allocate on every request (the task, the
    // closure's display class), and the admission almost always completes synchronously and admits.
    private async ValueTask<(Admission?, ApiError?)> AdmitForwardAsync(HttpContext context, IExpertRoutingFeature feature)
    {
        var request = feature.Request!;
        var policy = feature.Tenant;
        var plan = feature.Plan!;
        if (policy.MaxCostPerRequestUsd is { } cap)
        {
            var within = WithinCost(plan, request, cap, PassReason.OverCostCap);
            if (within.Fallbacks.Count == 0 || (plan.IsDirect && within.First.Expert.Id != plan.First.Expert.Id))
            {
                var who = plan.IsDirect ? $"Model '{plan.First.Expert.Id}'" : "Every expert this request may use";
                return (null, ApiError.InvalidRequest(
                    $"{who} could cost more than your per-request cap of ${cap}; lower max_tokens or shorten the prompt.", "max_tokens", "request_cost_cap_exceeded"));
            }

            plan = within;
        }

        var enforce = true;
        if (policy.Budget is { Mode: BudgetMode.Soft, HasLimit: true })
        {
            var spend = await ledger.GetSpendAsync(policy.Id, context.RequestAborted);
            if (spend.RemainingUsd(policy.Budget.DailyUsd, policy.Budget.MonthlyUsd) < MaxCost(request, plan.First))
            {
                plan = Downgraded(plan, request, policy.Budget);
                if (plan.Fallbacks.Count == 0)
                {
                    return (null, ApiError.InsufficientQuota("Your budget is spent; only the downgrade experts remain. Use model 'auto' or one of them."));
                }

                context.Response.Headers[GatewayHeaders.Budget] = "downgraded";
            }

            enforce = false;
        }

        var admission = await accounting.TryAdmitAsync(Request(policy, request, plan, enforce), context.RequestAborted);
        if (admission.Outcome == AdmissionOutcome.BudgetExhausted && plan.Fallbacks.Count > 1)
        {
            // Near the end of the budget: keep only the experts whose worst case still fits, and ask once more.
            // A named expert is never swapped for a cheaper one here: its fallback chain is for failures only.
            var remaining = admission.Spend.RemainingUsd(policy.Budget.DailyUsd, policy.Budget.MonthlyUsd) ?? double.MaxValue;
            var affordable = WithinCost(plan, request, remaining, PassReason.OverBudget);
            if (affordable.Fallbacks.Count > 0 && (!plan.IsDirect || affordable.First.Expert.Id == plan.First.Expert.Id))
            {
                plan = affordable;
                admission = await accounting.TryAdmitAsync(Request(policy, request, plan, enforce), context.RequestAborted);
            }
        }

        feature.Plan = plan;
        // The worst case is only shown when the request is refused, so an admitted one does not compute it.
        return admission.Outcome == AdmissionOutcome.Admitted
            ? (admission, null)
            : Decide(admission, policy, WorstCase(plan, request), "this request");
    }

    private async ValueTask<(Admission?, ApiError?)> AdmitEnsembleAsync(HttpContext context, IExpertRoutingFeature feature, PlannedEnsemble ensemble)
    {
        var request = feature.Request!;
        var plan = feature.Plan!;
        var options = ensemble.Options;
        var maxCost = EnsembleCostEstimate.MaxUsd(options, plan, request.PromptTokens, id => catalog.TryGet(id, out var e) ? e : null, _maxFallbacks);
        var maxTokens = request.PromptTokens * Math.Max(1, options.Size) + plan.Ranking.Take(options.Size).Sum(s => s.Expert.ExpectedOutputTokens);
        var admission = await accounting.TryAdmitAsync(AdmissionRequest.For(feature.Tenant, maxCost, maxTokens), context.RequestAborted);
        return Decide(admission, feature.Tenant, maxCost, "this ensemble");
    }

    /// <param name="maxCost">The request's worst case, shown only when the budget refuses it.</param>
    private static (Admission?, ApiError?) Decide(Admission admission, TenantPolicy policy, double maxCost, string what) => admission.Outcome switch
    {
        AdmissionOutcome.Admitted => (admission, null),
        AdmissionOutcome.RateLimited => Refuse(TenantMetrics.RateLimitRefusals, ApiError.RateLimited(
            $"Rate limit reached for {admission.LimitedBy} per minute on tenant '{policy.Id}'. Retry after {admission.RetryAfterSeconds} s.",
            admission.RetryAfterSeconds)),
        AdmissionOutcome.SpendUnverified => Refuse(TenantMetrics.BudgetRefusals, AdmissionErrors.SpendUnverified(policy.Id, admission)),
        _ => Refuse(TenantMetrics.BudgetRefusals, ApiError.InsufficientQuota(
            $"You exceeded your current quota: tenant '{policy.Id}' has {admission.Spend.RemainingUsd(policy.Budget.DailyUsd, policy.Budget.MonthlyUsd):0.######} USD left of its budget, and {what} may cost up to {maxCost:0.######} USD.")),
    };

    private static (Admission?, ApiError?) Refuse(System.Diagnostics.Metrics.Counter<long> counter, ApiError error)
    {
        counter.Add(1);
        return (null, error);
    }

    /// <summary>What a spent soft budget leaves: the policy's downgrade experts, or else the cheapest one.</summary>
    private RoutingPlan Downgraded(RoutingPlan plan, OpenAIRequest request, BudgetPolicy budget)
    {
        if (budget.DowngradeExperts.Count > 0)
        {
            return plan.Narrowed(s => budget.DowngradeExperts.Contains(s.Expert.Id, StringComparer.Ordinal), PassReason.BudgetDowngrade);
        }

        var cheapest = plan.Fallbacks.MinBy(s => MaxCost(request, s)).Expert.Id;
        return plan.Narrowed(s => s.Expert.Id == cheapest, PassReason.BudgetDowngrade);
    }

    private AdmissionRequest Request(TenantPolicy policy, OpenAIRequest request, RoutingPlan plan, bool enforce)
    {
        var maxCost = 0.0;
        var maxOutput = 0;
        foreach (var score in plan.Fallbacks)
        {
            maxCost = Math.Max(maxCost, MaxCost(request, score));
            maxOutput = Math.Max(maxOutput, RequestCost.MaxOutputTokens(request, score.Expert, _defaultMaxOutput));
        }

        return AdmissionRequest.For(policy, maxCost, request.PromptTokens + maxOutput, enforce);
    }

    private RoutingPlan WithinCost(RoutingPlan plan, OpenAIRequest request, double limit, PassReason reason) =>
        plan.Narrowed(static (s, c) => c.Step.MaxCost(c.Request, s) <= c.Limit, (Step: this, Request: request, Limit: limit), reason);

    private double WorstCase(RoutingPlan plan, OpenAIRequest request) => plan.Fallbacks.Max(s => MaxCost(request, s));

    private double MaxCost(OpenAIRequest request, ExpertScore score) => RequestCost.MaxCostUsd(request, score.Expert, _defaultMaxOutput);

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.RequestRefused, Level = LogLevel.Information, Message = "Request {RequestId} of tenant {TenantId} refused: {Reason}.")]
        public static partial void Refused(ILogger logger, string requestId, string tenantId, string reason);
    }
}
