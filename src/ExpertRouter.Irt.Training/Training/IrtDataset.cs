using ExpertRouter.Core.Experts;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Irt.Encoding;

namespace ExpertRouter.Irt.Training;

/// <summary>
/// Turns recorded routing data into training examples for a pool (expert index = position in the pool). An outcome's
/// <see cref="RecordedOutcome.Weight"/> becomes its weight in the loss; an outcome weighted 0 is left out.
/// </summary>
public static class IrtDataset
{
    public static IrtExample[] Build(IReadOnlyList<RoutingRecord> records, IReadOnlyList<string> experts, Func<string, HashedFeatures> featurize)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var m = 0; m < experts.Count; m++)
        {
            index[experts[m]] = m;
        }

        var examples = new IrtExample[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            var observed = new List<(int Expert, float Score, float Weight)>();
            var weighted = false;
            foreach (var (model, outcome) in records[i].Outcomes)
            {
                if (index.TryGetValue(model, out var m) && outcome.Weight is not <= 0)
                {
                    observed.Add((m, (float)Math.Clamp(outcome.Score, 0, 1), (float)(outcome.Weight ?? 1)));
                    weighted |= outcome.Weight is not null;
                }
            }

            observed.Sort((a, b) => a.Expert.CompareTo(b.Expert));
            examples[i] = new IrtExample(
                featurize(records[i].Prompt),
                observed.Select(o => o.Expert).ToArray(),
                observed.Select(o => o.Score).ToArray())
            {
                // Unweighted data keeps the unweighted arithmetic, so routers trained on benchmarks stay bit-identical.
                Weights = weighted ? observed.Select(o => o.Weight).ToArray() : null,
            };
        }

        return examples;
    }

    /// <summary>Mean recorded output tokens per expert (the gateway's expected completion length); 256 when unseen.</summary>
    public static int[] ExpectedOutputTokens(IReadOnlyList<RoutingRecord> records, IReadOnlyList<string> experts)
    {
        var result = new int[experts.Count];
        for (var m = 0; m < experts.Count; m++)
        {
            long sum = 0;
            var n = 0;
            foreach (var record in records)
            {
                if (record.Outcomes.TryGetValue(experts[m], out var outcome))
                {
                    sum += outcome.OutputTokensEst;
                    n++;
                }
            }

            result[m] = n == 0 ? 256 : (int)Math.Round(sum / (double)n);
        }

        return result;
    }

    public static ExpertDefinition[] Price(IReadOnlyList<string> experts, ModelPriceTable prices, IReadOnlyList<int> expectedOutputTokens) =>
        experts.Select((id, m) =>
        {
            var price = prices.Get(id);
            return new ExpertDefinition
            {
                Id = id,
                InputUsdPerMTok = price.InputUsdPerMTok ?? 0,
                OutputUsdPerMTok = price.OutputUsdPerMTok ?? 0,
                ExpectedOutputTokens = expectedOutputTokens[m],
            };
        }).ToArray();
}
