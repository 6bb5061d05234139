using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Feedback;
using ExpertRouter.Core.Routing;
using ExpertRouter.Core.Telemetry;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Telemetry;
using Microsoft.Extensions.Options;

namespace ExpertRouter.Gateway.Routing;

/// <summary>
/// A tenant's shadow router (<c>router.shadow</c>) at work: after a response, it ranks the same candidates under the
/// same cost policy as the serving router did, so its choice can be logged beside the one that served and its
/// agreement watched before it is trusted to decide. It never decides, and it runs off the request path.
/// </summary>
public sealed partial class ShadowRouting(RouterRegistry routers, IOptions<GatewayOptions> options, GatewayMetrics metrics, ILogger<ShadowRouting> logger)
{
    private readonly ShadowAgreement _agreement = new(options.Value.RouterReload.ShadowWindow);

    /// <summary>The shadow's choice for a routed single-expert plan; null when the tenant has no shadow or it could not predict.</summary>
    public async ValueTask<LoggedShadow?> PredictAsync(TenantPolicy tenant, RoutingPlan plan, string prompt, int promptTokens, CancellationToken cancellationToken)
    {
        if (tenant.ShadowRouter is not { } name || plan.IsDirect || plan.Ensemble is not null || plan.Ranking.Count == 0
            || !routers.TryAcquire(name, out var lease))
        {
            return null;
        }

        using (lease)
        {
            try
            {
                var candidates = new ExpertDefinition[plan.Ranking.Count];
                for (var i = 0; i < candidates.Length; i++)
                {
                    candidates[i] = plan.Ranking[i].Expert;
                }

                var quality = new double[candidates.Length];
                await lease.Router.EstimateQualityAsync(new RoutingQuery(prompt), candidates, quality, cancellationToken).ConfigureAwait(false);
                var chosen = CostAwareRanking.Rank(name, candidates, quality, promptTokens, RoutingPlanner.TenantLambda(lease.Router, tenant).Lambda).Chosen;
                var serving = plan.First;
                var agrees = chosen.Expert.Id == serving.Expert.Id;
                _agreement.Record(plan.Router, name, agrees, serving, chosen);
                metrics.ShadowDecision(name, plan.Router, agrees);
                return new LoggedShadow(name, lease.Version, chosen.Expert.Id, Finite(chosen.PredictedQuality), chosen.ExpectedCostUsd, agrees);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A shadow is an experiment: its failure is logged and the request's record is written without it.
                Log.Failed(logger, name, ex);
                return null;
            }
        }
    }

    /// <summary>Each (serving, shadow) pair's agreement and both sides' predictions over recent traffic.</summary>
    public IReadOnlyList<ShadowReport> Reports() => _agreement.Reports();

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.ShadowFailed, Level = LogLevel.Warning, Message = "Shadow router {Router} could not predict; the request is logged without its choice.")]
        public static partial void Failed(ILogger logger, string router, Exception exception);
    }
}
