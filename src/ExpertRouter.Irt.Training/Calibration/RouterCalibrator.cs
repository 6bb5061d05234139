using ExpertRouter.Core.Experts;
using ExpertRouter.Evaluation.Data;

namespace ExpertRouter.Irt.Calibration;

/// <summary>
/// Builds a <see cref="RouterCalibration"/> from the score distribution the router produces on recorded prompts.
/// Costs are the gateway's expected costs (prompt tokens from characters, the expert's expected output length), so
/// the promise matches what the gateway can compute at request time.
/// </summary>
public static class RouterCalibrator
{
    public static double[] LambdaGrid()
    {
        var grid = new double[82];
        for (var i = 1; i < grid.Length; i++)
        {
            grid[i] = Math.Round(Math.Pow(10, -4 + 7.0 * (i - 1) / (grid.Length - 2)), 10);
        }

        return grid;
    }

    public static RouterCalibration Build(
        string source,
        IReadOnlyList<RoutingRecord> records,
        IReadOnlyList<float[]> predictions,
        IReadOnlyList<ExpertDefinition> experts)
    {
        var tokens = records.Select(r => TokenEstimate.FromText(r.Prompt)).ToArray();
        var best = BestExpert(records, predictions, experts);
        var bestUsd = tokens.Average(t => experts[best].CostUsd(t, experts[best].ExpectedOutputTokens)) * 1000;
        var points = new List<CalibrationPoint>();
        foreach (var lambda in LambdaGrid())
        {
            double usd = 0, quality = 0;
            for (var i = 0; i < records.Count; i++)
            {
                var chosen = 0;
                var top = double.NegativeInfinity;
                for (var m = 0; m < experts.Count; m++)
                {
                    var cost = experts[m].CostUsd(tokens[i], experts[m].ExpectedOutputTokens);
                    var utility = predictions[i][m] - lambda * cost * 1000;
                    if (utility > top)
                    {
                        (top, chosen) = (utility, m);
                    }
                }

                usd += experts[chosen].CostUsd(tokens[i], experts[chosen].ExpectedOutputTokens) * 1000;
                quality += predictions[i][chosen];
            }

            usd /= records.Count;
            points.Add(new CalibrationPoint
            {
                Lambda = lambda,
                UsdPer1k = Math.Round(usd, 6),
                CostFraction = Math.Round(usd / bestUsd, 6),
                PredictedQuality = Math.Round(quality / records.Count, 6),
            });
        }

        return new RouterCalibration
        {
            Source = source,
            Prompts = records.Count,
            BestExpert = experts[best].Id,
            BestExpertUsdPer1k = Math.Round(bestUsd, 6),
            Points = points,
        };
    }

    /// <summary>Share of the records an expert must have an outcome on for its recorded mean to name the best expert.</summary>
    public const double RecordedCoverage = 0.9;

    /// <summary>
    /// The expert the cost fractions are measured against: the best recorded mean score when every expert was recorded
    /// on (nearly) every prompt, as in benchmark data. A gateway's log records mostly the served expert, so a sum of
    /// recorded scores there names the most served, not the best; the router's own predicted mean quality stands in.
    /// </summary>
    public static int BestExpert(IReadOnlyList<RoutingRecord> records, IReadOnlyList<float[]> predictions, IReadOnlyList<ExpertDefinition> experts)
    {
        var recorded = experts.All(e => records.Count(r => r.Outcomes.ContainsKey(e.Id)) >= RecordedCoverage * records.Count);
        return recorded
            ? Enumerable.Range(0, experts.Count).MaxBy(m => records.Sum(r => r.Outcomes.TryGetValue(experts[m].Id, out var o) ? o.Score : 0))
            : Enumerable.Range(0, experts.Count).MaxBy(m => predictions.Sum(p => (double)p[m]));
    }
}
