using ExpertRouter.Core.Ensembles;
using ExpertRouter.Evaluation.Harness;
using ExpertRouter.Evaluation.Metrics;

namespace ExpertRouter.Evaluation.Ensembles;

/// <summary>
/// Replays majority vote and confidence-triggered fan-out on recorded responses. Per prompt, the router's ranking
/// at λ (experts without a recorded outcome skipped, the harness's fallback rule) gives the k voters; each voter's
/// answer is extracted from its recorded response, and the vote's score is the recorded score of the experts that
/// cast the winning answer (so correctness is judged by the benchmark's own rule, not re-implemented). When no voter
/// yields an answer, the first-ranked expert's response stands. Cost is every call's realised cost.
/// </summary>
public static class EnsembleEvaluator
{
    public static EnsembleEvaluation Evaluate(
        string name,
        OutcomeTable table,
        QualityMatrix quality,
        IAnswerExtractor extractor,
        IReadOnlyList<double> singleLambdas,
        IReadOnlyList<EnsembleSetting> settings)
    {
        var answers = ExtractAll(table, extractor);
        var tieOrder = SweepEvaluator.TieOrder(table);
        var singles = singleLambdas.Select(l => Run(table, quality, answers, tieOrder, new EnsembleSetting(null, 1, 0, l)).Point).ToArray();
        var hull = QualityCostHull.Build(singles);
        var results = settings
            .Select(s => Run(table, quality, answers, tieOrder, s))
            .Select(r => r with { SingleAtSameCost = hull.ScoreAt(r.Point.CostPer1K), SingleCostForSameQuality = hull.CostToReach(r.Point.Score) })
            .ToArray();
        return new EnsembleEvaluation(name, table.PromptCount, extractor.Name, hull, singles, results);
    }

    internal static string?[] ExtractAll(OutcomeTable table, IAnswerExtractor extractor)
    {
        var answers = new string?[table.PromptCount * table.ExpertCount];
        Parallel.For(0, table.PromptCount, p =>
        {
            for (var e = 0; e < table.ExpertCount; e++)
            {
                if (table.Records[p].Outcomes.TryGetValue(table.Experts[e].Id, out var outcome) && outcome.Response is { } response)
                {
                    answers[p * table.ExpertCount + e] = extractor.Extract(response);
                }
            }
        });
        return answers;
    }

    private static EnsembleResult Run(
        OutcomeTable table, QualityMatrix quality, string?[] answers, int[][] tieOrder, EnsembleSetting setting)
    {
        double score = 0, cost = 0, calls = 0, fannedOut = 0, ballots = 0, extracted = 0;
        for (var p = 0; p < table.PromptCount; p++)
        {
            var ranking = Rank(table, quality.Row(p), tieOrder[p], p, setting.Lambda);
            if (ranking.Count == 0)
            {
                continue;
            }

            var fanOut = setting.Mode == EnsembleMode.Vote
                || (setting.Mode == EnsembleMode.FanOut && (ranking.Count < 2 || FanOutRule.ShouldFanOut(ranking[0].Utility, ranking[1].Utility, setting.Margin)));
            var voters = fanOut ? ranking.Take(setting.K).ToArray() : [ranking[0]];
            fannedOut += fanOut && voters.Length > 1 ? 1 : 0;
            calls += voters.Length;
            var row = p * table.ExpertCount;
            foreach (var voter in voters)
            {
                cost += table.RealisedCostUsd[row + voter.Expert] * 1000.0;
            }

            var ballotsHere = voters.Select(v => new Ballot(answers[row + v.Expert], quality.Row(p)[v.Expert])).ToArray();
            ballots += ballotsHere.Length;
            extracted += ballotsHere.Count(b => b.Answer is not null);
            score += voters.Length == 1 ? table.Score[row + voters[0].Expert] : VoteScore(table, row, voters, ballotsHere);
        }

        var n = Math.Max(1, table.PromptCount);
        return new EnsembleResult(setting, new OperatingPoint(cost / n, score / n), fannedOut / n, calls / n, ballots == 0 ? 0 : extracted / ballots, double.NaN);
    }

    private static double VoteScore(OutcomeTable table, int row, (int Expert, double Utility)[] voters, Ballot[] ballots)
    {
        if (MajorityVote.Decide(ballots) is not { } outcome)
        {
            return table.Score[row + voters[0].Expert];
        }

        return outcome.Supporters.Average(i => table.Score[row + voters[i].Expert]);
    }

    /// <summary>Experts with an outcome, best utility first; ties in the harness's order (cheaper, then lower id).</summary>
    private static List<(int Expert, double Utility)> Rank(OutcomeTable table, ReadOnlySpan<double> quality, int[] tieOrder, int prompt, double lambda)
    {
        var row = prompt * table.ExpertCount;
        var ranked = new List<(int Expert, double Utility)>(table.ExpertCount);
        foreach (var e in tieOrder)
        {
            if (table.HasOutcome(prompt, e))
            {
                var q = quality[e];
                ranked.Add((e, double.IsNaN(q) ? double.NegativeInfinity : q - lambda * table.ExpectedCostUsd[row + e] * 1000.0));
            }
        }

        // A stable sort keeps the tie order among equal utilities.
        return ranked.OrderByDescending(r => r.Utility).ToList();
    }
}
