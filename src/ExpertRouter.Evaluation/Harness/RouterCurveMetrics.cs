using ExpertRouter.Evaluation.Metrics;

namespace ExpertRouter.Evaluation.Harness;

/// <summary>Hull, AIQ and the best-single comparisons of a sweep, and their bootstrap intervals over test prompts.</summary>
public static class RouterCurveMetrics
{
    public sealed record CurveSummary(QualityCostHull Hull, double Aiq, double? CostToMatch, double QualityAtBestCost);

    public static CurveSummary Measure(SweepResult sweep, SingleExperts singles)
    {
        var hull = QualityCostHull.Build(sweep.Points);
        var reference = singles.Best.Point;
        return new CurveSummary(
            hull,
            QualityCostMetrics.Aiq(hull, singles.MinCostPer1K, singles.MaxCostPer1K),
            QualityCostMetrics.CostToMatch(hull, reference),
            QualityCostMetrics.QualityAtCost(hull, reference));
    }

    /// <summary>95% intervals of AIQ and cost-to-match; the pool's window and reference are recomputed per resample.</summary>
    public static (ConfidenceInterval Aiq, ConfidenceInterval CostToMatch) Intervals(
        SweepResult sweep, SingleExperts singles, int samples, int seed)
    {
        var prompts = sweep.Settings[0].ScoreByPrompt.Length;
        if (samples <= 0 || prompts == 0)
        {
            return (ConfidenceInterval.None, ConfidenceInterval.None);
        }

        var aiq = Bootstrap.Interval(prompts, samples, seed, idx =>
        {
            var (hull, min, max, _) = Resample(sweep, singles, idx);
            return QualityCostMetrics.Aiq(hull, min, max);
        });
        var cost = Bootstrap.Interval(prompts, samples, seed, idx =>
        {
            var (hull, _, _, reference) = Resample(sweep, singles, idx);
            return QualityCostMetrics.CostToMatch(hull, reference) ?? double.NaN;
        });
        return (aiq, cost);
    }

    private static (QualityCostHull Hull, double Min, double Max, OperatingPoint Reference) Resample(
        SweepResult sweep, SingleExperts singles, int[] idx)
    {
        var points = sweep.Settings
            .Select(s => new OperatingPoint(Bootstrap.Mean(s.CostPer1KByPrompt, idx), Bootstrap.Mean(s.ScoreByPrompt, idx)));
        var singleCosts = singles.Experts.Select(e => Bootstrap.Mean(e.CostPer1KByPrompt, idx)).ToArray();
        var best = singles.Best;
        var reference = new OperatingPoint(Bootstrap.Mean(best.CostPer1KByPrompt, idx), Bootstrap.Mean(best.ScoreByPrompt, idx));
        return (QualityCostHull.Build(points), singleCosts.Min(), singleCosts.Max(), reference);
    }
}
