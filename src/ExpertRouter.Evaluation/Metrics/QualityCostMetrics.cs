namespace ExpertRouter.Evaluation.Metrics;

/// <summary>Summary metrics of one router's quality–cost curve against the pool's single experts.</summary>
public static class QualityCostMetrics
{
    /// <summary>
    /// RouterBench's Average Improvement in Quality: the area under the router's non-decreasing convex hull divided by
    /// the width of the cost window. Our normalisation: the window is [cheapest, dearest] single expert's cost per
    /// 1k requests on the same test prompts; the hull counts as 0 below the router's cheapest setting and stays flat
    /// above its best one. So AIQ is the hull's mean score over the window, comparable across routers of one pool.
    /// </summary>
    public static double Aiq(QualityCostHull hull, double minCostPer1K, double maxCostPer1K) =>
        maxCostPer1K <= minCostPer1K ? hull.ScoreAt(minCostPer1K) : hull.Area(minCostPer1K, maxCostPer1K) / (maxCostPer1K - minCostPer1K);

    /// <summary>
    /// Cheapest point of the hull scoring at least the reference (best single expert), as a fraction of that expert's
    /// cost; null when the router never reaches it. The hull is interpolated (a random mix of two settings).
    /// </summary>
    public static double? CostToMatch(QualityCostHull hull, OperatingPoint reference) =>
        hull.CostToReach(reference.Score) is { } cost ? cost / reference.CostPer1K : null;

    /// <summary>Hull score at the reference expert's cost (NaN when the router cannot be that cheap).</summary>
    public static double QualityAtCost(QualityCostHull hull, OperatingPoint reference) => hull.ScoreAt(reference.CostPer1K);
}
