using ExpertRouter.Core.Ensembles;
using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Routing;

namespace ExpertRouter.Gateway.Ensembles;

/// <summary>
/// The most an ensemble can cost before it starts: every expert it might call, each at its expected answer length,
/// and the judge or aggregator reading every proposal. This is what the budget reserves.
/// </summary>
public static class EnsembleCostEstimate
{
    /// <param name="maxFallbacks">How many experts may stand in for fan-out's single answer.</param>
    public static double MaxUsd(EnsembleOptions options, RoutingPlan plan, int promptTokens, Func<string, ExpertDefinition?> expert, int maxFallbacks = 0)
    {
        var ranking = plan.Ranking;
        var proposers = ranking.Take(options.Size).Select(s => s.Expert).ToArray();
        var proposals = proposers.Sum(e => (long)e.ExpectedOutputTokens);
        var total = proposers.Sum(e => e.CostUsd(promptTokens, e.ExpectedOutputTokens));
        var reviewer = options.Mode switch
        {
            EnsembleMode.Judge => expert(options.Judge ?? ranking[0].Expert.Id),
            EnsembleMode.Moa => expert(options.Aggregator ?? ranking[0].Expert.Id),
            EnsembleMode.Cascade when options.Judge is not null => expert(options.Judge),
            _ => null,
        };
        if (reviewer is not null)
        {
            // The cascade verifier may read each answer on its own; the judge and aggregator read them all at once.
            var reviews = options.Mode == EnsembleMode.Cascade ? Math.Max(0, proposers.Length - 1) : 1;
            total += reviews * reviewer.CostUsd(promptTokens + proposals + 200, reviewer.ExpectedOutputTokens);
        }

        if (options.Mode == EnsembleMode.FanOut)
        {
            // Fan-out either votes or answers alone; alone, a failed try reports no usage, so the dearest stand-in bounds it.
            var single = plan.Fallbacks.Take(1 + maxFallbacks)
                .Select(s => s.Expert.CostUsd(promptTokens, s.Expert.ExpectedOutputTokens)).DefaultIfEmpty(0).Max();
            total = Math.Max(total, single);
        }

        return total;
    }
}
