using ExpertRouter.Core.Routing;

namespace ExpertRouter.Gateway.Routing;

/// <summary>
/// A tenant's fallback chain reorders only what comes after the first choice: the router still picks who answers
/// first, but when that expert fails the tenant's named fallbacks are tried in their stated order before the rest of
/// the ranking.
/// </summary>
internal static class FallbackOrder
{
    public static IReadOnlyList<ExpertScore> Apply(IReadOnlyList<ExpertScore> ranking, IReadOnlyList<string> chain)
    {
        if (chain.Count == 0 || ranking.Count <= 2)
        {
            return ranking;
        }

        var ordered = new List<ExpertScore>(ranking.Count) { ranking[0] };
        foreach (var id in chain)
        {
            for (var rank = 1; rank < ranking.Count; rank++)
            {
                if (string.Equals(ranking[rank].Expert.Id, id, StringComparison.Ordinal))
                {
                    ordered.Add(ranking[rank]);
                    break;
                }
            }
        }

        foreach (var score in ranking.Skip(1))
        {
            if (!chain.Contains(score.Expert.Id, StringComparer.Ordinal))
            {
                ordered.Add(score);
            }
        }

        return ordered;
    }
}
