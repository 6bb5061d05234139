namespace ExpertRouter.Evaluation.Harness;

/// <summary>
/// The sweep over logged bandit feedback (an <see cref="OutcomeTable.OffPolicy"/> table): for each λ the router
/// decides on every record as usual, and its mean score and cost are estimated by self-normalised inverse propensity
/// weighting (SNIPS): a record counts, with weight 1 / propensity, only when the outcome of the expert the router chose
/// was logged. There is no fallback: another expert's outcome says nothing about the chosen one. The estimate is
/// spread over the records (each carries its share of the weighted sum), so a setting's <see cref="SweepSetting.Point"/>
/// is the estimate; <see cref="SweepSetting.Scored"/> is -1 where the choice was not observed, and
/// <see cref="SweepSetting.EffectiveSampleSize"/> is (Σw)² / Σw², the number of equally weighted records the estimate
/// is worth.
/// </summary>
public static class OffPolicyEstimator
{
    public static SweepResult Evaluate(OutcomeTable table, QualityMatrix quality, IReadOnlyList<double> lambdas)
    {
        var prompts = table.PromptCount;
        var tieOrder = SweepEvaluator.TieOrder(table);
        var settings = new SweepSetting[lambdas.Count];
        for (var s = 0; s < lambdas.Count; s++)
        {
            var chosen = new int[prompts];
            var scored = new int[prompts];
            var score = new double[prompts];
            var cost = new double[prompts];
            double sum = 0, sumOfSquares = 0;
            for (var p = 0; p < prompts; p++)
            {
                (chosen[p], _) = SweepEvaluator.Decide(table, quality.Row(p), tieOrder[p], p, lambdas[s]);
                var cell = (p * table.ExpertCount) + chosen[p];
                if (!table.HasOutcome(p, chosen[p]))
                {
                    scored[p] = -1;
                    continue;
                }

                var weight = 1.0 / table.Propensity[cell];
                scored[p] = chosen[p];
                score[p] = weight * table.Score[cell];
                cost[p] = weight * table.RealisedCostUsd[cell] * 1000.0;
                sum += weight;
                sumOfSquares += weight * weight;
            }

            // Self-normalised: the weighted mean over observed choices, written as a per-record share so Average() is it.
            var scale = sum > 0 ? prompts / sum : 0;
            for (var p = 0; p < prompts; p++)
            {
                score[p] *= scale;
                cost[p] *= scale;
            }

            settings[s] = new SweepSetting(s, lambdas[s], chosen, scored, score, cost)
            {
                EffectiveSampleSize = sumOfSquares > 0 ? sum * sum / sumOfSquares : 0,
            };
        }

        return new SweepResult(settings);
    }
}
