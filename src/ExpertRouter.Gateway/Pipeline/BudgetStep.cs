using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Core.OpenAI;
using ExpertRouter.Core.Routing;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Pipeline.Usage;
using Microsoft.Extensions.Options;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>
/// Between ranking and forwarding: drops experts over the tenant's per-request cap, downgrades a spent soft
/// budget, then admits the request against its rate limits and budget by reserving its worst-case cost over every
/// expert it may still reach (fallbacks included). After forwarding, the real cost from the expert's usage is
/// settled, or the reservation released when nothing was served.
/// </summary>
internal sealed partial class BudgetStep(RequestDelegate next, ITenantAccounting accounting, IOptions<GatewayOptions> options, ILogger<BudgetStep> logger)
{
    public const string BudgetHeader = "x-expertrouter-budget";
    private readonly int _defaultMaxOutput = options.Value.DefaultMaxOutputTokens;

    public async Task InvokeAsync(HttpContext context)
    {
        var feature = context.Features.GetRequiredFeature<IExpertRoutingFeature>();
        var request = feature.Request!;
        var policy = feature.Tenant;
        var ranking = feature.Decision!.Ranking;
        var bounds = new List<CostBound>(ranking.Count);
        foreach (var score in ranking)
        {
            bounds.Add(new CostBound(score, RequestCost.MaxCostUsd(request, score.Expert, _defaultMaxOutput)));
        }

        var named = feature.Decision.Router == RouterStep.DirectRouterName;
        if (policy.MaxCostPerRequestUsd is { } cap && ((named && bounds[0].MaxCostUsd > cap) || KeepWithin(bounds, cap) == 0))
        {
            var who = named ? $"Model '{feature.Decision.Chosen.Expert.Id}'" : "Every expert this request may use";
            await ApiErrorWriter.WriteAsync(context, ApiError.InvalidRequest(
                $"{who} could cost more than your per-request cap of ${cap}; lower max_tokens or shorten the prompt.",
                "max_tokens", "request_cost_cap_exceeded"));
            return;
        }

        var (admission, admitted, error) = await AdmitAsync(context, policy, request, bounds, named);
        if (error is not null)
        {
            Log.Refused(logger, feature.RequestId, policy.Id, error.Code ?? error.Type);
            await ApiErrorWriter.WriteAsync(context, error);
            return;
        }

        if (admitted.Count != ranking.Count)
        {
            // Admitted experts are the ranking's in its order, less some: equal counts mean nothing was dropped.
            var kept = new ExpertScore[admitted.Count];
            for (var i = 0; i < kept.Length; i++)
            {
                kept[i] = admitted[i].Score;
            }

            feature.Decision = feature.Decision with { Ranking = kept };
        }

        feature.Reservation = admission!.Reservation;
        if (StreamUsageRequest.Needed(request))
        {
            feature.Request = StreamUsageRequest.WithIncludeUsage(request);
        }

        await ForwardAndSettleAsync(context, feature, hideUsage: request.Stream && !request.StreamIncludeUsage);
    }

    private async Task<(Admission? Admission, IReadOnlyList<CostBound> Admitted, ApiError? Error)> AdmitAsync(
        HttpContext context, TenantPolicy policy, OpenAIRequest request, List<CostBound> bounds, bool named)
    {
        var enforce = true;
        if (policy.Budget is { Mode: BudgetMode.Soft, HasLimit: true })
        {
            var spend = await accounting.GetSpendAsync(policy.Id, context.RequestAborted);
            if (spend.RemainingUsd(policy.Budget.DailyUsd, policy.Budget.MonthlyUsd) < bounds[0].MaxCostUsd)
            {
                bounds = SoftBudget.Downgrade(bounds, policy.Budget);
                if (bounds.Count == 0)
                {
                    return (null, [], ApiError.InsufficientQuota("Your budget is spent; only the downgrade experts remain. Use model 'auto' or one of them."));
                }

                context.Response.Headers[BudgetHeader] = "downgraded";
            }

            enforce = false;
        }

        var admission = await accounting.TryAdmitAsync(Request(policy, request, bounds, enforce), context.RequestAborted);
        if (admission.Outcome == AdmissionOutcome.BudgetExhausted && bounds.Count > 1)
        {
            // Near the end of the budget: keep only the experts whose worst case still fits, and ask once more.
            // A named expert is never swapped for a cheaper one here: its fallback chain is for failures only.
            var remaining = admission.Spend.RemainingUsd(policy.Budget.DailyUsd, policy.Budget.MonthlyUsd) ?? double.MaxValue;
            var affordable = bounds.Where(b => b.MaxCostUsd <= remaining).ToList();
            if (affordable.Count > 0 && (!named || affordable[0].Score.Expert.Id == bounds[0].Score.Expert.Id))
            {
                bounds = affordable;
                admission = await accounting.TryAdmitAsync(Request(policy, request, bounds, enforce), context.RequestAborted);
            }
        }

        return admission.Outcome switch
        {
            AdmissionOutcome.Admitted => (admission, bounds, null),
            AdmissionOutcome.RateLimited => Refuse(admission, TenantMetrics.RateLimitRefusals, ApiError.RateLimited(
                $"Rate limit reached for {admission.LimitedBy} per minute on tenant '{policy.Id}'. Retry after {admission.RetryAfterSeconds} s.",
                admission.RetryAfterSeconds)),
            AdmissionOutcome.SpendUnverified => Refuse(admission, TenantMetrics.BudgetRefusals, AdmissionErrors.SpendUnverified(policy.Id, admission)),
            _ => Refuse(admission, TenantMetrics.BudgetRefusals, ApiError.InsufficientQuota(
                $"You exceeded your current quota: tenant '{policy.Id}' has {admission.Spend.RemainingUsd(policy.Budget.DailyUsd, policy.Budget.MonthlyUsd):0.######} USD left of its budget, and this request may cost up to {bounds.Max(b => b.MaxCostUsd):0.######} USD.")),
        };
    }

    private static (Admission?, IReadOnlyList<CostBound>, ApiError?) Refuse(Admission admission, System.Diagnostics.Metrics.Counter<long> counter, ApiError error)
    {
        counter.Add(1);
        return (admission, [], error);
    }

    private AdmissionRequest Request(TenantPolicy policy, OpenAIRequest request, List<CostBound> bounds, bool enforce)
    {
        var maxCost = 0.0;
        var maxOutput = 0;
        foreach (var bound in bounds)
        {
            maxCost = Math.Max(maxCost, bound.MaxCostUsd);
            maxOutput = Math.Max(maxOutput, RequestCost.MaxOutputTokens(request, bound.Score.Expert, _defaultMaxOutput));
        }

        return AdmissionRequest.For(policy, maxCost, request.PromptTokens + maxOutput) with { EnforceBudget = enforce };
    }

    /// <summary>Drops, in place and in order, the bounds over the cap; returns how many are left.</summary>
    private static int KeepWithin(List<CostBound> bounds, double cap)
    {
        var kept = 0;
        for (var i = 0; i < bounds.Count; i++)
        {
            if (bounds[i].MaxCostUsd <= cap)
            {
                bounds[kept++] = bounds[i];
            }
        }

        bounds.RemoveRange(kept, bounds.Count - kept);
        return kept;
    }

    private async Task ForwardAndSettleAsync(HttpContext context, IExpertRoutingFeature feature, bool hideUsage)
    {
        var original = context.Response.Body;
        var stream = feature.Request!.Stream;
        var capture = stream ? null : new UsageCaptureStream(original);
        var filter = stream ? new StreamUsageFilter(original, hideUsage) : null;
        context.Response.Body = (Stream?)capture ?? filter!;
        if (hideUsage)
        {
            context.Response.OnStarting(() =>
            {
                // Chunks are removed from the stream, so a length the expert declared no longer holds.
                context.Response.ContentLength = null;
                return Task.CompletedTask;
            });
        }

        try
        {
            await next(context);
            if (filter is not null)
            {
                await filter.CompleteAsync(context.RequestAborted);
            }
        }
        finally
        {
            context.Response.Body = original;
            var usage = capture?.Usage ?? filter?.Usage;
            capture?.Dispose();
            await SettleAsync(context, feature, usage);
        }
    }

    private async Task SettleAsync(HttpContext context, IExpertRoutingFeature feature, UsageReport? usage)
    {
        var reservation = feature.Reservation!;
        var served = context.Response.StatusCode is >= 200 and < 300 && context.Response.HasStarted && feature.Chosen is not null;
        if (!served && usage is null)
        {
            await accounting.ReleaseAsync(reservation, CancellationToken.None);
            return;
        }

        var expert = feature.Chosen!.Value.Expert;
        SettledUsage settled;
        if (usage is { } report)
        {
            settled = new SettledUsage(expert.Id, report.PromptTokens, report.CompletionTokens, expert.CostUsd(report.PromptTokens, report.CompletionTokens));
        }
        else
        {
            Log.UsageMissing(logger, feature.RequestId, expert.Id);
            settled = new SettledUsage(expert.Id, feature.Request!.PromptTokens, expert.ExpectedOutputTokens, RequestCost.ExpectedCostUsd(feature.Request, expert));
        }

        feature.Usage = settled;
        await accounting.SettleAsync(reservation, settled, CancellationToken.None);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 50, Level = LogLevel.Information, Message = "Request {RequestId} of tenant {TenantId} refused: {Reason}.")]
        public static partial void Refused(ILogger logger, string requestId, string tenantId, string reason);

        [LoggerMessage(EventId = 51, Level = LogLevel.Warning, Message = "Request {RequestId}: {Expert} answered without usage; settled its expected cost instead.")]
        public static partial void UsageMissing(ILogger logger, string requestId, string expert);
    }
}
