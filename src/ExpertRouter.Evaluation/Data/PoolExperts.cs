using ExpertRouter.Core.Experts;

namespace ExpertRouter.Evaluation.Data;

/// <summary>
/// Turns a pool into priced <see cref="ExpertDefinition"/>s whose <see cref="ExpertDefinition.ExpectedOutputTokens"/>
/// is the expert's mean recorded output length on the training records, so the cost a router expects at decision
/// time is known before the answer, as in the gateway.
/// </summary>
public static class PoolExperts
{
    public static IReadOnlyList<ExpertDefinition> Build(
        ExpertPool pool, ModelPriceTable prices, IReadOnlyList<RoutingRecord> training)
    {
        var problems = new List<string>();
        if (pool.Experts.Count == 0)
        {
            problems.Add($"pool '{pool.Name}' has no experts");
        }

        foreach (var id in pool.Experts.Where(id => !prices.TryGet(id, out _)))
        {
            problems.Add($"expert '{id}' has no price in models.json");
        }

        foreach (var duplicate in pool.Experts.GroupBy(e => e, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"expert '{duplicate.Key}' is listed twice");
        }

        if (problems.Count > 0)
        {
            throw new InvalidDataException("Invalid pool: " + string.Join("; ", problems));
        }

        return pool.Experts.Select(id =>
        {
            var price = prices.Get(id);
            return new ExpertDefinition
            {
                Id = id,
                InputUsdPerMTok = price.InputUsdPerMTok ?? 0,
                OutputUsdPerMTok = price.OutputUsdPerMTok ?? 0,
                ExpectedOutputTokens = MeanOutputTokens(training, id),
            };
        }).ToArray();
    }

    /// <summary>Mean recorded output length; 256 (the gateway default) when the expert never answered a train prompt.</summary>
    public static int MeanOutputTokens(IReadOnlyList<RoutingRecord> records, string expert)
    {
        long sum = 0;
        var count = 0;
        foreach (var record in records)
        {
            if (record.Outcomes.TryGetValue(expert, out var outcome))
            {
                sum += outcome.OutputTokensEst;
                count++;
            }
        }

        return count == 0 ? 256 : (int)Math.Round((double)sum / count);
    }
}
