using ExpertRouter.Core.Experts;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Evaluation.Metrics;

namespace ExpertRouter.Evaluation.Harness;

/// <summary>
/// Each pool expert used alone, scored with the harness's fallback rule (where it has no outcome the prompt goes to
/// the expert with the next-highest train mean), plus the reference experts the metrics compare against: the best
/// single expert (highest train mean: chosen without looking at the test set) and a strong/weak pair for RouteLLM's
/// metrics (strong = best single; weak = the cheapest expert cheaper than the strong one whose train mean is at least
/// halfway between the pool's worst and best train means; failing that, the cheapest cheaper expert).
/// </summary>
public sealed record SingleExperts(
    IReadOnlyList<SingleExpertResult> Experts, int BestIndex, int StrongIndex, int WeakIndex)
{
    public SingleExpertResult Best => Experts[BestIndex];

    public double MinCostPer1K => Experts.Min(e => e.Point.CostPer1K);

    public double MaxCostPer1K => Experts.Max(e => e.Point.CostPer1K);

    public static SingleExperts Compute(
        OutcomeTable table, IReadOnlyList<RoutingRecord> training, string? strong = null, string? weak = null)
    {
        var experts = table.Experts;
        var trainMeans = experts.Select(e => TrainMean(training, e.Id)).ToArray();
        var results = new SingleExpertResult[experts.Count];
        for (var e = 0; e < experts.Count; e++)
        {
            var quality = new double[table.PromptCount * experts.Count];
            for (var p = 0; p < table.PromptCount; p++)
            {
                for (var o = 0; o < experts.Count; o++)
                {
                    quality[p * experts.Count + o] = o == e ? 2.0 : (double.IsNaN(trainMeans[o]) ? -1 : trainMeans[o]);
                }
            }

            var setting = SweepEvaluator.Evaluate(table, new QualityMatrix(table.PromptCount, experts.Count, quality), [0.0]).Settings[0];
            results[e] = new SingleExpertResult(experts[e], trainMeans[e], setting.Point, setting.ScoreByPrompt, setting.CostPer1KByPrompt);
        }

        var best = ArgMax(trainMeans);
        var strongIndex = strong is null ? best : IndexOf(experts, strong);
        var weakIndex = weak is null ? DefaultWeak(results, trainMeans, strongIndex) : IndexOf(experts, weak);
        return new SingleExperts(results, best, strongIndex, weakIndex);
    }

    public static double TrainMean(IReadOnlyList<RoutingRecord> training, string expert)
    {
        var (sum, count) = (0.0, 0);
        foreach (var record in training)
        {
            if (record.Outcomes.TryGetValue(expert, out var outcome))
            {
                sum += outcome.Score;
                count++;
            }
        }

        return count == 0 ? double.NaN : sum / count;
    }

    private static int DefaultWeak(SingleExpertResult[] results, double[] trainMeans, int strong)
    {
        var known = trainMeans.Where(m => !double.IsNaN(m)).ToArray();
        var halfway = (known.Min() + known.Max()) / 2;
        var strongCost = results[strong].Point.CostPer1K;
        // Prefer experts cheaper than the strong one (a weak expert exists to save money), then any other expert.
        var others = Enumerable.Range(0, results.Length)
            .Where(e => e != strong && !double.IsNaN(trainMeans[e]))
            .OrderBy(e => results[e].Point.CostPer1K >= strongCost)
            .ThenBy(e => trainMeans[e] < halfway)
            .ThenBy(e => results[e].Point.CostPer1K)
            .ToArray();
        return others.Length > 0 ? others[0] : strong;
    }

    private static int ArgMax(double[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (!double.IsNaN(values[i]) && (double.IsNaN(values[best]) || values[i] > values[best]))
            {
                best = i;
            }
        }

        return best;
    }

    private static int IndexOf(IReadOnlyList<ExpertDefinition> experts, string id)
    {
        for (var i = 0; i < experts.Count; i++)
        {
            if (experts[i].Id == id)
            {
                return i;
            }
        }

        throw new ArgumentException($"Expert '{id}' is not in the pool.");
    }
}

public sealed record SingleExpertResult(
    ExpertDefinition Expert, double TrainMean, OperatingPoint Point, double[] ScoreByPrompt, double[] CostPer1KByPrompt);
