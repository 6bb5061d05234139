using ExpertRouter.Core.Experts;
using ExpertRouter.Evaluation.Data;

namespace ExpertRouter.Cli.Commands;

/// <summary>
/// What eval and route-batch read: training records (several sources), the test records, the pool and its priced
/// experts. Sources use the reader's syntax (<c>zeroeval:train</c>, <c>path.jsonl.gz:dev</c>, or a path: all splits).
/// </summary>
internal sealed record EvaluationInputs(
    IReadOnlyList<RoutingRecord> Training,
    IReadOnlyList<RoutingRecord> Test,
    ExpertPool Pool,
    IReadOnlyList<ExpertDefinition> Experts)
{
    public static EvaluationInputs Load(
        IEnumerable<string> trainSources, string testSource, string pool, string dataDirectory, string? pricesPath, bool testOutcomes)
    {
        var training = LoadSources(trainSources, dataDirectory);
        var test = RoutingDatasetReader.Load(testSource, dataDirectory, testOutcomes);
        var trainKeys = training.Select(Key).ToHashSet(StringComparer.Ordinal);
        var overlap = test.Count(r => trainKeys.Contains(Key(r)));
        if (overlap > 0)
        {
            throw new InvalidDataException(
                $"{overlap} test prompts also occur in the training data; give splits, e.g. zeroeval:train and zeroeval:dev.");
        }

        var expertPool = ResolvePool(pool);
        var prices = ModelPriceTable.Load(pricesPath ?? Path.Combine(dataDirectory, "models.json"));
        return new EvaluationInputs(training, test, expertPool, PoolExperts.Build(expertPool, prices, training));
    }

    /// <summary>A pool file, a name under evals/pools (e.g. <c>ze-12</c>), or comma-separated expert ids.</summary>
    public static ExpertPool ResolvePool(string pool)
    {
        var named = Path.Combine("evals", "pools", pool.ToLowerInvariant() + ".json");
        return ExpertPool.Parse(!File.Exists(pool) && File.Exists(named) ? named : pool);
    }

    internal static IReadOnlyList<RoutingRecord> LoadSources(IEnumerable<string> sources, string dataDirectory) =>
        sources.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToArray()
            .AsParallel().AsOrdered()
            .SelectMany(s => RoutingDatasetReader.Load(s, dataDirectory))
            .ToList();

    private static string Key(RoutingRecord record) => record.Benchmark + "\u0001" + record.Id;
}

/// <summary>What <c>eval --cv</c> reads: every record of the training sources, the pool and its prices.</summary>
internal sealed record CrossValidationInputs(IReadOnlyList<RoutingRecord> Records, ExpertPool Pool, ModelPriceTable Prices)
{
    public static CrossValidationInputs Load(IEnumerable<string> sources, string pool, string dataDirectory, string? pricesPath)
    {
        var records = EvaluationInputs.LoadSources(sources, dataDirectory);
        var expertPool = EvaluationInputs.ResolvePool(pool);
        var prices = ModelPriceTable.Load(pricesPath ?? Path.Combine(dataDirectory, "models.json"));
        // Fails early, with every problem, on an unpriced or duplicated expert.
        PoolExperts.Build(expertPool, prices, records);
        return new CrossValidationInputs(records, expertPool, prices);
    }

    public IReadOnlyList<ExpertDefinition> ExpertsFor(IReadOnlyList<RoutingRecord> training) => PoolExperts.Build(Pool, Prices, training);
}
