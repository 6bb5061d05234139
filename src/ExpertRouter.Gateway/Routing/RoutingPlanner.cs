using System.Buffers;
using ExpertRouter.Core.Caching;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.OpenAI;
using ExpertRouter.Core.Routing;
using ExpertRouter.Core.Telemetry;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Experts;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Telemetry;

namespace ExpertRouter.Gateway.Routing;

/// <summary>
/// Decides a request: which experts the tenant's policy lets serve it (endpoint, tools, context window), how the
/// router ranks them under the tenant's cost knob, who stands in when one fails, and whether an ensemble answers.
/// Nothing is called and nothing is spent here; the result is an immutable <see cref="RoutingPlan"/> or the
/// client's error. With <paramref name="capacity"/>, experts over capacity or too slow for the tenant are passed
/// over and near-equals spread by headroom (<see cref="CapacityShaping"/>).
/// </summary>
public sealed partial class RoutingPlanner(
    ExpertCatalog catalog, RouterRegistry routers, EnsembleCatalog ensembles, GatewayMetrics metrics, TimeProvider time, ILogger<RoutingPlanner> logger,
    CapacityShaping? capacity = null)
{
    /// <param name="embeddings">The request's embeddings, where a router's sentence-encoder vector is left for the semantic cache.</param>
    public async ValueTask<(RoutingPlan? Plan, ApiError? Error)> PlanAsync(
        TenantPolicy tenant, OpenAIRequest request, string requestId, CancellationToken cancellationToken, PromptEmbeddings? embeddings = null)
    {
        var routerName = ModelAliases.RouterFor(request.Model, tenant.Router);
        return routerName is null
            ? PlanDirect(tenant, request)
            : await PlanRoutedAsync(tenant, request, requestId, routerName, embeddings, cancellationToken).ConfigureAwait(false);
    }

    private (RoutingPlan?, ApiError?) PlanDirect(TenantPolicy tenant, OpenAIRequest request)
    {
        if (!catalog.TryGet(request.Model, out var expert))
        {
            return (null, ApiError.ModelNotFound(request.Model));
        }

        if (!tenant.Allows(expert.Id))
        {
            return (null, ApiError.Forbidden($"Your key may not use model '{expert.Id}'.", "model"));
        }

        if (!ExpertFit.Serves(expert, request))
        {
            return (null, ApiError.InvalidRequest(
                $"Model '{expert.Id}' cannot serve this request ({ExpertFit.Needs(request)}).", "model", "model_not_supported"));
        }

        if (!ExpertFit.Fits(expert, request))
        {
            return (null, ExpertFit.ContextLengthExceeded(request, expert.Capabilities.ContextTokens));
        }

        var ranking = new List<ExpertScore> { Unranked(expert, request) };
        foreach (var id in tenant.FallbackChain)
        {
            if (id != expert.Id && catalog.TryGet(id, out var fallback) && tenant.Allows(id) && ExpertFit.Serves(fallback, request) && ExpertFit.Fits(fallback, request))
            {
                ranking.Add(Unranked(fallback, request));
            }
        }

        var shaped = capacity?.ShapeDirect(ranking, request) ?? new ShapedRanking(ranking, [], []);
        var plan = new RoutingPlan
        {
            Router = RoutingPlan.DirectRouter,
            Ranking = shaped.Ranking,
            Fallbacks = shaped.Ranking,
            PassedOver = shaped.Passed,
            Bypassed = shaped.Bypassed,
        };
        return (WithFallbackBound(plan, tenant), null);
    }

    private async ValueTask<(RoutingPlan?, ApiError?)> PlanRoutedAsync(
        TenantPolicy tenant, OpenAIRequest request, string requestId, string routerName, PromptEmbeddings? embeddings, CancellationToken cancellationToken)
    {
        if (!routers.TryAcquire(routerName, out var lease))
        {
            return (null, ApiError.ModelNotFound(request.Model));
        }

        // Held while the router predicts: a swap in the meantime disposes the old router only after this request.
        using (lease)
        {
            return await PlanWithAsync(lease, tenant, request, requestId, embeddings, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<(RoutingPlan?, ApiError?)> PlanWithAsync(
        RouterLease lease, TenantPolicy tenant, OpenAIRequest request, string requestId, PromptEmbeddings? embeddings, CancellationToken cancellationToken)
    {
        var router = lease.Router;
        var (ensemble, ensembleError) = EnsembleFor(tenant, request);
        if (ensembleError is not null)
        {
            return (null, ensembleError);
        }

        var (candidates, passedOver) = Candidates(tenant, request);
        if (candidates.Count == 0)
        {
            return (null, passedOver.Count > 0 && passedOver.All(p => p.Reason is PassReason.ContextTooLong or PassReason.NotAllowed)
                && passedOver.Any(p => p.Reason == PassReason.ContextTooLong)
                ? ExpertFit.ContextLengthExceeded(request, passedOver.Where(p => p.Reason == PassReason.ContextTooLong)
                    .Max(p => catalog.TryGet(p.Expert, out var e) ? e.Capabilities.ContextTokens : 0))
                : ApiError.Forbidden($"No expert your key may use can serve this request ({ExpertFit.Needs(request)})."));
        }

        var decision = await RankAsync(router, tenant, request, requestId, candidates, embeddings, cancellationToken).ConfigureAwait(false);
        var plan = new RoutingPlan
        {
            Router = router.Name,
            RouterVersion = lease.Version,
            Ranking = decision.Ranking,
            Fallbacks = FallbackOrder.Apply(decision.Ranking, tenant.FallbackChain),
            PassedOver = decision.Passed.Count == 0 ? passedOver : [.. passedOver, .. decision.Passed],
            Bypassed = decision.Bypassed,
            Ensemble = ensemble,
        };
        return (WithFallbackBound(plan, tenant), null);
    }

    private async ValueTask<ShapedRanking> RankAsync(
        IRouter router, TenantPolicy tenant, OpenAIRequest request, string requestId, IReadOnlyList<ExpertDefinition> candidates,
        PromptEmbeddings? embeddings, CancellationToken cancellationToken)
    {
        var quality = ArrayPool<double>.Shared.Rent(candidates.Count);
        var started = time.GetTimestamp();
        using var span = GatewayMetrics.ActivitySource.StartActivity("route");
        ShapedRanking decision;
        try
        {
            // Over the conversation the prompt is left undecoded: a reading policy may read only a long message's ends.
            var query = request.Conversation is { } conversation
                ? new RoutingQuery(conversation) { Id = requestId, Embeddings = embeddings }
                : new RoutingQuery(request.Prompt) { Id = requestId, Embeddings = embeddings };
            await router.EstimateQualityAsync(query, candidates, quality.AsMemory(0, candidates.Count), cancellationToken).ConfigureAwait(false);
            var ranked = CostAwareRanking.Rank(router.Name, candidates, quality.AsSpan(0, candidates.Count), request.PromptTokens, LambdaFor(router, tenant, requestId));
            // Capacity shapes the ranking before the choice is counted, so the metric and the log name who goes first.
            decision = capacity?.Shape(ranked.Ranking, tenant, request) ?? new ShapedRanking(ranked.Ranking, [], []);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(quality);
        }

        var chosen = decision.Ranking[0];
        metrics.Routed(router.Name, chosen.Expert.Id, time.GetElapsedTime(started).TotalMilliseconds);
        span?.SetTag("expertrouter.router", router.Name);
        span?.SetTag("expertrouter.expert", chosen.Expert.Id);
        span?.SetTag("expertrouter.predicted_quality", chosen.PredictedQuality);
        Log.Routed(logger, requestId, router.Name, chosen.Expert.Id, chosen.PredictedQuality);
        return decision;
    }

    /// <summary>The experts of the endpoint's pool that the tenant allows and that can serve the request.</summary>
    private (IReadOnlyList<ExpertDefinition> Candidates, IReadOnlyList<PassedOver> PassedOver) Candidates(TenantPolicy tenant, OpenAIRequest request)
    {
        var pool = request.Endpoint == OpenAIEndpoint.Embeddings ? catalog.Embeddings : catalog.Chat;
        var candidates = new List<ExpertDefinition>(pool.Count);
        List<PassedOver>? passed = null;
        foreach (var expert in pool)
        {
            var reason = !tenant.Allows(expert.Id) ? PassReason.NotAllowed
                : !ExpertFit.Serves(expert, request) ? PassReason.Unsupported
                : !ExpertFit.Fits(expert, request) ? PassReason.ContextTooLong
                : (PassReason?)null;
            if (reason is { } why)
            {
                (passed ??= []).Add(new PassedOver(expert.Id, why));
            }
            else
            {
                candidates.Add(expert);
            }
        }

        return (candidates, (IReadOnlyList<PassedOver>?)passed ?? []);
    }

    /// <summary>The ensemble the request names, else the tenant's default for <c>auto</c> chat without tools, else none.</summary>
    private (PlannedEnsemble?, ApiError?) EnsembleFor(TenantPolicy tenant, OpenAIRequest request)
    {
        if (ModelAliases.EnsembleFor(request.Model) is not { } name)
        {
            return (request.Model == ModelAliases.Auto && request.Endpoint == OpenAIEndpoint.ChatCompletions && !request.UsesTools && request.Choices == 1
                ? ensembles.TenantDefault(tenant.Ensemble)
                : null, null);
        }

        if (!ensembles.TryGet(name, out var options))
        {
            return (null, ApiError.ModelNotFound(request.Model));
        }

        if (request.Endpoint != OpenAIEndpoint.ChatCompletions || request.UsesTools)
        {
            return (null, ApiError.InvalidRequest("Ensembles combine text answers; they serve chat completions without tools.", "model", "model_not_supported"));
        }

        if (request.Choices > 1)
        {
            return (null, ApiError.InvalidRequest("An ensemble gives one answer; send n = 1, or name an expert to get several.", "n", "invalid_value"));
        }

        foreach (var reviewer in new[] { options.Judge, options.Aggregator })
        {
            if (reviewer is not null && !tenant.Allows(reviewer))
            {
                return (null, ApiError.Forbidden($"Ensemble '{name}' uses '{reviewer}', which your key may not use.", "model"));
            }
        }

        return (new PlannedEnsemble(name, options), null);
    }

    /// <summary>A tenant's cost target wins over its raw λ when the router was calibrated to translate it.</summary>
    private double LambdaFor(IRouter router, TenantPolicy tenant, string requestId)
    {
        var (lambda, calibrated) = TenantLambda(router, tenant);
        if (!calibrated)
        {
            Log.Uncalibrated(logger, requestId, tenant.Id, router.Name);
        }

        return lambda;
    }

    /// <summary>The λ <paramref name="router"/> ranks with for <paramref name="tenant"/>; false when a cost target could not be honoured.</summary>
    internal static (double Lambda, bool Calibrated) TenantLambda(IRouter router, TenantPolicy tenant) =>
        tenant.CostTarget is not { } target ? (tenant.Lambda, true)
        : router is ICostCalibratedRouter calibrated ? (calibrated.LambdaFor(target), true)
        : (tenant.Lambda, false);

    /// <summary>Drops fallbacks dearer than the tenant's <c>maxFallbackCostRatio</c> times the first choice.</summary>
    private static RoutingPlan WithFallbackBound(RoutingPlan plan, TenantPolicy tenant)
    {
        if (tenant.MaxFallbackCostRatio is not { } ratio || plan.Fallbacks.Count < 2)
        {
            return plan;
        }

        var limit = plan.First.ExpectedCostUsd * ratio;
        // Usually every fallback is within the bound: a loop tells, and only a plan that loses one pays for the LINQ
        // (in a method of its own, so its closure is not allocated on entry to this one).
        for (var i = 1; i < plan.Fallbacks.Count; i++)
        {
            if (!(plan.Fallbacks[i].ExpectedCostUsd <= limit))
            {
                return Bounded(plan, limit);
            }
        }

        return plan;
    }

    /// <summary>The plan without its fallbacks over <paramref name="limit"/>; called once at least one is over.</summary>
    private static RoutingPlan Bounded(RoutingPlan plan, double limit)
    {
        var kept = plan.Fallbacks.Where((s, i) => i == 0 || s.ExpectedCostUsd <= limit).ToArray();
        return plan with
        {
            Fallbacks = kept,
            PassedOver = [.. plan.PassedOver, .. plan.Fallbacks.Except(kept).Select(s => new PassedOver(s.Expert.Id, PassReason.FallbackTooDear))],
        };
    }

    private static ExpertScore Unranked(ExpertDefinition expert, OpenAIRequest request) =>
        new(expert, double.NaN, RequestCost.ExpectedCostUsd(request, expert), 0);

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.RouterUncalibrated, Level = LogLevel.Warning, Message = "Request {RequestId}: tenant {Tenant} states a cost target but router {Router} is not calibrated; using the tenant's lambda.")]
        public static partial void Uncalibrated(ILogger logger, string requestId, string tenant, string router);

        [LoggerMessage(EventId = LogEvents.Routed, Level = LogLevel.Debug, Message = "Request {RequestId}: router {Router} ranked {Expert} first (predicted quality {Quality:F3}).")]
        public static partial void Routed(ILogger logger, string requestId, string router, string expert, double quality);
    }
}
