using ExpertRouter.Core.Experts;
using ExpertRouter.Evaluation.Data;

namespace ExpertRouter.Evaluation.Routers;

/// <summary>Per-expert facts of a training set that several routers share.</summary>
internal static class TrainingStatistics
{
    /// <summary>Mean recorded score of each expert over the prompts it answered; NaN when it answered none.</summary>
    public static double[] ExpertMeans(RouterTrainingSet training) =>
        training.Experts.Select(e => Mean(training.Records, e.Id)).ToArray();

    public static double Mean(IEnumerable<RoutingRecord> records, string expert)
    {
        var (sum, count) = (0.0, 0);
        foreach (var record in records)
        {
            if (record.Outcomes.TryGetValue(expert, out var outcome))
            {
                sum += outcome.Score;
                count++;
            }
        }

        return count == 0 ? double.NaN : sum / count;
    }

    /// <summary>Position of each candidate among the trained experts (−1 when the router never saw it).</summary>
    public static int[] Map(IReadOnlyList<ExpertDefinition> trained, IReadOnlyList<ExpertDefinition> candidates)
    {
        var map = new int[candidates.Count];
        for (var c = 0; c < candidates.Count; c++)
        {
            map[c] = -1;
            for (var t = 0; t < trained.Count; t++)
            {
                if (string.Equals(trained[t].Id, candidates[c].Id, StringComparison.Ordinal))
                {
                    map[c] = t;
                    break;
                }
            }
        }

        return map;
    }

    /// <summary>Copies per-trained-expert values into candidate order, NaN for unknown candidates.</summary>
    public static void Write(IReadOnlyList<ExpertDefinition> trained, IReadOnlyList<ExpertDefinition> candidates,
        ReadOnlySpan<double> values, Span<double> quality)
    {
        var map = Map(trained, candidates);
        for (var c = 0; c < candidates.Count; c++)
        {
            quality[c] = map[c] < 0 ? double.NaN : values[map[c]];
        }
    }
}
