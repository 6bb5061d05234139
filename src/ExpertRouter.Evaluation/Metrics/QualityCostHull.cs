namespace ExpertRouter.Evaluation.Metrics;

/// <summary>
/// RouterBench's non-decreasing convex hull of a router's operating points: the upper convex hull from the cheapest
/// point to the best-scoring one. Mixing two settings at random reaches every point on a hull segment, so the hull is
/// what a router can actually deliver; beyond its best point the hull stays flat (spending more buys nothing).
/// </summary>
public sealed class QualityCostHull
{
    private QualityCostHull(IReadOnlyList<OperatingPoint> vertices) => Vertices = vertices;

    /// <summary>Vertices ordered by cost; scores never decrease along them.</summary>
    public IReadOnlyList<OperatingPoint> Vertices { get; }

    public OperatingPoint Cheapest => Vertices[0];

    public OperatingPoint Best => Vertices[^1];

    public static QualityCostHull Build(IEnumerable<OperatingPoint> points)
    {
        var sorted = points
            .Where(p => double.IsFinite(p.CostPer1K) && double.IsFinite(p.Score))
            .OrderBy(p => p.CostPer1K)
            .ThenByDescending(p => p.Score)
            .ToList();
        if (sorted.Count == 0)
        {
            throw new ArgumentException("A hull needs at least one finite point.", nameof(points));
        }

        // Monotone chain, upper part, walking left to right; keep only the best score at each cost.
        var hull = new List<OperatingPoint>();
        foreach (var point in sorted)
        {
            if (hull.Count > 0 && hull[^1].CostPer1K == point.CostPer1K)
            {
                continue;
            }

            while (hull.Count >= 2 && Cross(hull[^2], hull[^1], point) >= 0)
            {
                hull.RemoveAt(hull.Count - 1);
            }

            hull.Add(point);
        }

        // Upper hull is concave, so everything after its highest vertex slopes down: drop it.
        var best = 0;
        for (var i = 1; i < hull.Count; i++)
        {
            if (hull[i].Score > hull[best].Score)
            {
                best = i;
            }
        }

        return new QualityCostHull(hull.Take(best + 1).ToArray());
    }

    /// <summary>Hull score at a cost: NaN below the cheapest vertex (unreachable), flat after the best one.</summary>
    public double ScoreAt(double costPer1K)
    {
        if (costPer1K < Cheapest.CostPer1K)
        {
            return double.NaN;
        }

        for (var i = 1; i < Vertices.Count; i++)
        {
            var (a, b) = (Vertices[i - 1], Vertices[i]);
            if (costPer1K <= b.CostPer1K)
            {
                return a.Score + (b.Score - a.Score) * (costPer1K - a.CostPer1K) / (b.CostPer1K - a.CostPer1K);
            }
        }

        return Best.Score;
    }

    /// <summary>The cheapest cost at which the hull reaches <paramref name="score"/>; null when it never does.</summary>
    public double? CostToReach(double score)
    {
        if (Cheapest.Score >= score)
        {
            return Cheapest.CostPer1K;
        }

        for (var i = 1; i < Vertices.Count; i++)
        {
            var (a, b) = (Vertices[i - 1], Vertices[i]);
            if (b.Score >= score)
            {
                return a.CostPer1K + (b.CostPer1K - a.CostPer1K) * (score - a.Score) / (b.Score - a.Score);
            }
        }

        return null;
    }

    /// <summary>Area under the hull between two costs (0 where the hull is unreachable).</summary>
    public double Area(double fromCost, double toCost)
    {
        if (toCost <= fromCost)
        {
            return 0;
        }

        // Break points: the interval ends plus every vertex inside; the hull is linear between them.
        var xs = Vertices.Select(v => v.CostPer1K).Where(c => c > fromCost && c < toCost)
            .Append(fromCost).Append(toCost).Append(Math.Clamp(Cheapest.CostPer1K, fromCost, toCost))
            .Distinct().Order().ToArray();
        var area = 0.0;
        for (var i = 1; i < xs.Length; i++)
        {
            var (left, right) = (ScoreAt(xs[i - 1]), ScoreAt(xs[i]));
            if (double.IsNaN(left) || double.IsNaN(right))
            {
                continue;
            }

            area += (left + right) / 2 * (xs[i] - xs[i - 1]);
        }

        return area;
    }

    private static double Cross(OperatingPoint o, OperatingPoint a, OperatingPoint b) =>
        (a.CostPer1K - o.CostPer1K) * (b.Score - o.Score) - (a.Score - o.Score) * (b.CostPer1K - o.CostPer1K);
}
