using ExpertRouter.Evaluation.Metrics;

namespace ExpertRouter.Evaluation.Harness;

/// <summary>
/// Applies the decision rule of <see cref="Core.Routing.CostAwareRanking"/> (utility = quality − λ · expected cost per
/// 1k requests; no opinion ranks last; ties go to the cheaper, then the lower id) to a whole quality matrix per λ.
/// Scoring rule for missing outcomes: the router ranks every pool expert, and the harness scores the highest-ranked
/// expert that has a recorded outcome for the prompt (the gateway's fallback order); restricting the candidates to
/// experts with outcomes would leak the test data into the decision.
/// </summary>
public static class SweepEvaluator
{
    public static SweepResult Evaluate(OutcomeTable table, QualityMatrix quality, IReadOnlyList<double> lambdas)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(quality.PromptCount, table.PromptCount);
        if (table.OffPolicy)
        {
            return OffPolicyEstimator.Evaluate(table, quality, lambdas);
        }

        var prompts = table.PromptCount;
        var settings = new SweepSetting[lambdas.Count];
        var tieOrder = TieOrder(table);
        for (var s = 0; s < lambdas.Count; s++)
        {
            var chosen = new int[prompts];
            var scored = new int[prompts];
            var score = new double[prompts];
            var cost = new double[prompts];
            for (var p = 0; p < prompts; p++)
            {
                (chosen[p], scored[p]) = Decide(table, quality.Row(p), tieOrder[p], p, lambdas[s]);
                var cell = p * table.ExpertCount + scored[p];
                score[p] = scored[p] < 0 ? 0 : table.Score[cell];
                cost[p] = scored[p] < 0 ? 0 : table.RealisedCostUsd[cell] * 1000.0;
            }

            settings[s] = new SweepSetting(s, lambdas[s], chosen, scored, score, cost);
        }

        return new SweepResult(settings);
    }

    /// <summary>Per prompt, experts ordered by expected cost then id: the tie-break of the ranking.</summary>
    internal static int[][] TieOrder(OutcomeTable table)
    {
        var order = new int[table.PromptCount][];
        for (var p = 0; p < table.PromptCount; p++)
        {
            var row = p * table.ExpertCount;
            order[p] = Enumerable.Range(0, table.ExpertCount)
                .OrderBy(e => table.ExpectedCostUsd[row + e])
                .ThenBy(e => table.Experts[e].Id, StringComparer.Ordinal)
                .ToArray();
        }

        return order;
    }

    internal static (int Chosen, int Scored) Decide(
        OutcomeTable table, ReadOnlySpan<double> quality, int[] tieOrder, int prompt, double lambda)
    {
        int chosen = -1, scored = -1;
        double bestChosen = double.NaN, bestScored = double.NaN;
        var row = prompt * table.ExpertCount;
        foreach (var e in tieOrder)
        {
            var q = quality[e];
            var utility = double.IsNaN(q) ? double.NegativeInfinity : q - lambda * table.ExpectedCostUsd[row + e] * 1000.0;
            if (chosen < 0 || utility > bestChosen)
            {
                chosen = e;
                bestChosen = utility;
            }

            if (table.HasOutcome(prompt, e) && (scored < 0 || utility > bestScored))
            {
                scored = e;
                bestScored = utility;
            }
        }

        return (chosen, scored);
    }
}

/// <summary>One λ: the router's choice per prompt, the expert actually scored, its score and realised cost per 1k.</summary>
public sealed record SweepSetting(
    int Index, double Lambda, int[] Chosen, int[] Scored, double[] ScoreByPrompt, double[] CostPer1KByPrompt)
{
    /// <summary>Off-policy estimates only: how many equally weighted records the estimate is worth; NaN for replays.</summary>
    public double EffectiveSampleSize { get; init; } = double.NaN;

    public OperatingPoint Point => new(CostPer1KByPrompt.Average(), ScoreByPrompt.Average());
}

public sealed record SweepResult(IReadOnlyList<SweepSetting> Settings)
{
    public IReadOnlyList<OperatingPoint> Points => Settings.Select(s => s.Point).ToArray();
}
