using ExpertRouter.Core.Tenants;

namespace ExpertRouter.Core.Routing;

/// <summary>
/// A router that was calibrated offline on recorded prompts, so a tenant can state a cost target ("30% of the best
/// expert's cost", "$0.50 per 1,000 requests") instead of a raw λ.
/// </summary>
public interface ICostCalibratedRouter
{
    /// <summary>The λ for <see cref="CostAwareRanking"/> that keeps expected spend within <paramref name="target"/>.</summary>
    double LambdaFor(CostTarget target);
}
