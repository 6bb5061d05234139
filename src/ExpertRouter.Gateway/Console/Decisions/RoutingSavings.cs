using ExpertRouter.Core.Experts;

namespace ExpertRouter.Gateway.Console.Decisions;

/// <summary>
/// What routing saved each tenant against always sending its requests to its best expert. The best expert is the one
/// the tenant's router rated highest on average over the tenant's routed requests (ties: the dearer one, what a
/// tenant without a router would pick). Two sums, over the routed requests whose ranking included that expert and
/// that an expert answered (cache hits are the cache's saving, not routing's):
/// predicted, from the plan's expected costs (chosen expert against the best one); and actual, what was charged
/// against the best expert's prices for the same prompt and answer tokens.
/// </summary>
public static class RoutingSavings
{
    public static IReadOnlyList<TenantSavings> Compute(IEnumerable<Decision> decisions)
    {
        var result = new List<TenantSavings>();
        foreach (var tenant in decisions.Where(d => d.IsRouted && d.TenantId is not null).GroupBy(d => d.TenantId!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var routed = tenant.ToList();
            var best = routed.SelectMany(d => d.Ranking)
                .Where(s => double.IsFinite(s.PredictedQuality))
                .GroupBy(s => s.Expert.Id, StringComparer.Ordinal)
                .Select(g => (Expert: g.First().Expert, Quality: g.Average(s => s.PredictedQuality), Cost: g.Average(s => s.ExpectedCostUsd)))
                .OrderByDescending(e => e.Quality).ThenByDescending(e => e.Cost).ThenBy(e => e.Expert.Id, StringComparer.Ordinal)
                .Select(e => e.Expert).FirstOrDefault();
            if (best is null)
            {
                continue;
            }

            var sums = new Sums();
            foreach (var decision in routed.Where(d => d.Answered is not null && d.Status < 400 && !d.IsCacheHit))
            {
                var bestScore = decision.Ranking.FirstOrDefault(s => s.Expert.Id == best.Id);
                if (bestScore.Expert is null || decision.Chosen is not { } chosen)
                {
                    continue;
                }

                sums.Count++;
                sums.PredictedChosen += chosen.ExpectedCostUsd;
                sums.PredictedBest += bestScore.ExpectedCostUsd;
                sums.QualityChosen += Finite(chosen.PredictedQuality);
                sums.QualityBest += Finite(bestScore.PredictedQuality);
                sums.Actual += decision.CostUsd;
                sums.ActualBest += decision.PromptTokens + decision.CompletionTokens > 0
                    ? best.CostUsd(decision.PromptTokens, decision.CompletionTokens)
                    : bestScore.ExpectedCostUsd;
            }

            if (sums.Count > 0)
            {
                result.Add(new TenantSavings(tenant.Key, best, sums.Count, sums.PredictedChosen, sums.PredictedBest, sums.Actual, sums.ActualBest,
                    sums.QualityChosen / sums.Count, sums.QualityBest / sums.Count));
            }
        }

        return result;
    }

    private static double Finite(double value) => double.IsFinite(value) ? value : 0;

    private sealed class Sums
    {
        public int Count;
        public double PredictedChosen;
        public double PredictedBest;
        public double QualityChosen;
        public double QualityBest;
        public double Actual;
        public double ActualBest;
    }
}

/// <summary>One tenant's routing against its best expert, over <see cref="Requests"/> routed and answered requests.</summary>
public sealed record TenantSavings(
    string Tenant,
    ExpertDefinition BestExpert,
    int Requests,
    double PredictedCostUsd,
    double PredictedBestCostUsd,
    double ActualCostUsd,
    double ActualBestCostUsd,
    double MeanPredictedQuality,
    double MeanBestPredictedQuality)
{
    public double PredictedSavedUsd => PredictedBestCostUsd - PredictedCostUsd;

    public double ActualSavedUsd => ActualBestCostUsd - ActualCostUsd;

    public double PredictedSavedFraction => PredictedBestCostUsd > 0 ? PredictedSavedUsd / PredictedBestCostUsd : double.NaN;

    public double ActualSavedFraction => ActualBestCostUsd > 0 ? ActualSavedUsd / ActualBestCostUsd : double.NaN;
}
