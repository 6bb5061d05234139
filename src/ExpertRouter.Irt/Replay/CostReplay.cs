using ExpertRouter.Core.Experts;
using ExpertRouter.Evaluation.Data;

namespace ExpertRouter.Irt.Replay;

/// <summary>
/// A minimal offline replay on recorded outcomes, used to tune and to calibrate: for each λ every prompt goes to the
/// expert with the highest predicted quality − λ · expected cost (USD per 1k requests); the prompt is scored by the
/// highest-ranked expert that has a recorded outcome, at that outcome's cost
/// ((ceil(chars/4)·in + output_tokens_est·out)/1e6). The evaluation harness's metrics are the reference; this one
/// exists so training can record dev numbers without depending on it.
/// </summary>
public static class CostReplay
{
    public static double[] LambdaGrid()
    {
        var grid = new double[401];
        for (var i = 1; i < grid.Length; i++)
        {
            grid[i] = Math.Pow(10, -5 + 8.0 * (i - 1) / (grid.Length - 2));
        }

        return grid;
    }

    public static IReadOnlyList<ReplayPoint> Curve(
        IReadOnlyList<RoutingRecord> records,
        IReadOnlyList<float[]> predictions,
        IReadOnlyList<ExpertDefinition> experts,
        IReadOnlyList<double> lambdas)
    {
        var points = new List<ReplayPoint>(lambdas.Count);
        var order = new int[experts.Count];
        var utility = new double[experts.Count];
        foreach (var lambda in lambdas)
        {
            double score = 0, cost = 0;
            for (var i = 0; i < records.Count; i++)
            {
                var tokens = TokenEstimate.FromText(records[i].Prompt);
                for (var m = 0; m < experts.Count; m++)
                {
                    order[m] = m;
                    utility[m] = predictions[i][m] - lambda * experts[m].CostUsd(tokens, experts[m].ExpectedOutputTokens) * 1000.0;
                }

                Array.Sort(order, (a, b) => utility[b] != utility[a] ? utility[b].CompareTo(utility[a]) : a.CompareTo(b));
                foreach (var m in order)
                {
                    if (records[i].Outcomes.TryGetValue(experts[m].Id, out var outcome))
                    {
                        score += outcome.Score;
                        cost += experts[m].CostUsd(tokens, outcome.OutputTokensEst);
                        break;
                    }
                }
            }

            points.Add(new ReplayPoint(lambda, score / records.Count, cost / records.Count));
        }

        return points;
    }

    /// <summary>Each expert alone (missing outcomes score 0 and cost nothing, as in the harness's single-expert rows).</summary>
    public static IReadOnlyList<ReplayPoint> SingleExperts(IReadOnlyList<RoutingRecord> records, IReadOnlyList<ExpertDefinition> experts) =>
        experts.Select((expert, m) =>
        {
            double score = 0, cost = 0;
            foreach (var record in records)
            {
                if (record.Outcomes.TryGetValue(expert.Id, out var outcome))
                {
                    score += outcome.Score;
                    cost += expert.CostUsd(TokenEstimate.FromText(record.Prompt), outcome.OutputTokensEst);
                }
            }

            return new ReplayPoint(m, score / records.Count, cost / records.Count);
        }).ToArray();

    /// <summary>Cheapest curve cost reaching the best single expert's mean score, as a fraction of that expert's cost.</summary>
    public static double CostFractionToMatchBest(IReadOnlyList<ReplayPoint> curve, ReplayPoint best)
    {
        var cheapest = curve.Where(p => p.MeanScore >= best.MeanScore - 1e-12).Select(p => p.MeanCostUsd).DefaultIfEmpty(double.NaN).Min();
        return cheapest / best.MeanCostUsd;
    }
}

/// <summary>One operating point: λ (or expert index for single experts), mean score and mean USD per request.</summary>
public readonly record struct ReplayPoint(double Lambda, double MeanScore, double MeanCostUsd);
