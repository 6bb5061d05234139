namespace ExpertRouter.Core.Ensembles;

/// <summary>One expert's extracted answer (null = none) and how good the router expected that expert to be.</summary>
public readonly record struct Ballot(string? Answer, double PredictedQuality);

/// <summary>The winning answer, the ballots that cast it, and the best-predicted of those (whose text is returned).</summary>
public sealed record VoteOutcome(string Answer, IReadOnlyList<int> Supporters, int Representative, int Votes, int ValidBallots);

/// <summary>
/// Plurality over extracted answers. Ties go to the answer whose best supporter the router predicted higher, then to
/// the earlier ballot (ballots arrive in ranking order), so the result never depends on arrival order.
/// </summary>
public static class MajorityVote
{
    public static VoteOutcome? Decide(IReadOnlyList<Ballot> ballots)
    {
        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var valid = 0;
        for (var i = 0; i < ballots.Count; i++)
        {
            if (ballots[i].Answer is not { } answer)
            {
                continue;
            }

            valid++;
            if (!groups.TryGetValue(answer, out var members))
            {
                groups[answer] = members = [];
            }

            members.Add(i);
        }

        if (groups.Count == 0)
        {
            return null;
        }

        var winner = groups
            .OrderByDescending(g => g.Value.Count)
            .ThenByDescending(g => g.Value.Max(i => Quality(ballots[i])))
            .ThenBy(g => g.Value[0])
            .First();
        var representative = winner.Value.OrderByDescending(i => Quality(ballots[i])).ThenBy(i => i).First();
        return new VoteOutcome(winner.Key, winner.Value, representative, winner.Value.Count, valid);
    }

    private static double Quality(Ballot ballot) => double.IsNaN(ballot.PredictedQuality) ? double.NegativeInfinity : ballot.PredictedQuality;
}
