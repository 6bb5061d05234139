using ExpertRouter.Core.Experts;

namespace ExpertRouter.Core.Routing;

/// <summary>
/// The decision rule: utility = quality − λ · expected cost, with cost in USD per 1,000 requests so that λ reads as
/// "quality points given up per dollar per thousand requests". Sweeping λ from 0 upwards walks the quality–cost curve
/// from the best expert to the cheapest.
/// </summary>
public static class CostAwareRanking
{
    public static RoutingDecision Rank(
        string router,
        IReadOnlyList<ExpertDefinition> candidates,
        ReadOnlySpan<double> quality,
        int promptTokens,
        double lambda)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(quality.Length, candidates.Count);
        var scores = new ExpertScore[candidates.Count];
        for (var i = 0; i < scores.Length; i++)
        {
            var expert = candidates[i];
            var cost = expert.CostUsd(promptTokens, expert.ExpectedOutputTokens);
            var q = quality[i];
            // An expert the router knows nothing about ranks after every expert it has an opinion of.
            var utility = double.IsNaN(q) ? double.NegativeInfinity : q - lambda * cost * 1000.0;
            scores[i] = new ExpertScore(expert, q, cost, utility);
        }

        Array.Sort(scores, Compare);
        return new RoutingDecision(router, scores);
    }

    private static int Compare(ExpertScore a, ExpertScore b)
    {
        var byUtility = b.Utility.CompareTo(a.Utility);
        if (byUtility != 0)
        {
            return byUtility;
        }

        var byCost = a.ExpectedCostUsd.CompareTo(b.ExpectedCostUsd);
        return byCost != 0 ? byCost : string.CompareOrdinal(a.Expert.Id, b.Expert.Id);
    }
}
