namespace ExpertRouter.Evaluation.Metrics;

/// <summary>
/// RouteLLM's two-model metrics. The router scores each prompt by how much better it expects the strong expert to do
/// than the weak one; sending the top k prompts to the strong expert traces performance-gap-recovered
/// PGR(k) = (score(k) − score_weak) / (score_strong − score_weak) against the strong call fraction k / n.
/// APGR is the area under that curve over [0, 1]; CPT(x) is the smallest call fraction whose PGR reaches x.
/// Prompts with equal margins cannot be ordered, so the curve moves straight across each tie group (the expected
/// value of breaking the tie at random); a router with one constant margin thus scores APGR 0.5.
/// </summary>
public sealed record StrongWeakCurve(IReadOnlyList<double> CallFraction, IReadOnlyList<double> Pgr)
{
    public double Apgr()
    {
        var area = 0.0;
        for (var i = 1; i < CallFraction.Count; i++)
        {
            area += (Pgr[i] + Pgr[i - 1]) / 2 * (CallFraction[i] - CallFraction[i - 1]);
        }

        return area;
    }

    /// <summary>Call fraction needed for PGR ≥ <paramref name="target"/> (e.g. 0.5 for CPT(50%)); NaN if never.</summary>
    public double Cpt(double target)
    {
        if (Pgr[0] >= target)
        {
            return CallFraction[0];
        }

        for (var i = 1; i < Pgr.Count; i++)
        {
            if (Pgr[i] >= target)
            {
                var (x0, x1, y0, y1) = (CallFraction[i - 1], CallFraction[i], Pgr[i - 1], Pgr[i]);
                return x0 + (x1 - x0) * (target - y0) / (y1 - y0);
            }
        }

        return double.NaN;
    }

    /// <summary>
    /// Builds the curve from per-prompt margins and the two experts' recorded scores (prompts where both answered).
    /// Returns null when the strong expert is not better than the weak one on these prompts (PGR undefined).
    /// </summary>
    public static StrongWeakCurve? Build(
        IReadOnlyList<double> margin, IReadOnlyList<double> strongScore, IReadOnlyList<double> weakScore)
    {
        var n = margin.Count;
        if (n == 0)
        {
            return null;
        }

        var strongMean = strongScore.Average();
        var weakMean = weakScore.Average();
        var gap = strongMean - weakMean;
        if (gap <= 0)
        {
            return null;
        }

        var order = Enumerable.Range(0, n)
            .OrderByDescending(i => double.IsNaN(margin[i]) ? double.NegativeInfinity : margin[i])
            .ToArray();
        var fractions = new List<double> { 0 };
        var pgr = new List<double> { 0 };
        var sum = weakScore.Sum();
        for (var k = 0; k < n; k++)
        {
            var i = order[k];
            sum += strongScore[i] - weakScore[i];
            var endOfTieGroup = k == n - 1 || Key(margin[order[k + 1]]) != Key(margin[i]);
            if (endOfTieGroup)
            {
                fractions.Add((k + 1.0) / n);
                pgr.Add((sum / n - weakMean) / gap);
            }
        }

        return new StrongWeakCurve(fractions, pgr);
    }

    private static double Key(double margin) => double.IsNaN(margin) ? double.NegativeInfinity : margin;
}
