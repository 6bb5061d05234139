using ExpertRouter.Core.Experts;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Evaluation.Importers;

namespace ExpertRouter.Cli.Commands;

/// <summary>
/// What eval and route-batch read: training records (several sources), the test records, the pool and its priced
/// experts. Sources use the reader's syntax (<c>zeroeval:train</c>, <c>path.jsonl.gz:dev</c>, or a path: all splits)
/// or name the gateway's log (<c>log:DIR[:split]</c>, <c>log:redis://host:port[:split]</c>; see <see cref="TrainingSources"/>).
/// </summary>
internal sealed record EvaluationInputs(
    IReadOnlyList<RoutingRecord> Training,
    IReadOnlyList<RoutingRecord> Test,
    ExpertPool Pool,
    IReadOnlyList<ExpertDefinition> Experts)
{
    public static EvaluationInputs Load(
        IEnumerable<string> trainSources, string testSource, string pool, string dataDirectory, string? pricesPath, bool testOutcomes,
        LogWeights? weights = null, Action<string>? report = null)
    {
        var training = TrainingSources.LoadTraining(trainSources, dataDirectory, weights ?? LogWeights.Default, report);
        var test = TrainingSources.LoadTest(testSource, dataDirectory, testOutcomes, report);
        // By id, and by text: a log names its records by request or by prompt hash, so only the text tells repeats apart.
        var trainKeys = training.Select(Key).ToHashSet(StringComparer.Ordinal);
        var trainPrompts = training.Select(r => r.Prompt).Where(p => p.Length > 0).ToHashSet(StringComparer.Ordinal);
        var overlap = test.Count(r => trainKeys.Contains(Key(r)) || trainPrompts.Contains(r.Prompt));
        if (overlap > 0)
        {
            throw new InvalidDataException(
                $"{overlap} test prompts also occur in the training data; give splits, e.g. zeroeval:train and zeroeval:dev, or log:DIR:train and log:DIR:test.");
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


    private static string Key(RoutingRecord record) => record.Benchmark + "\u0001" + record.Id;
}

/// <summary>What <c>eval --cv</c> reads: every record of the training sources, the pool and its prices.</summary>
internal sealed record CrossValidationInputs(IReadOnlyList<RoutingRecord> Records, ExpertPool Pool, ModelPriceTable Prices)
{
    public static CrossValidationInputs Load(IEnumerable<string> sources, string pool, string dataDirectory, string? pricesPath)
    {
        if (TrainingSources.Split(sources).FirstOrDefault(LogSource.IsLog) is { } log)
        {
            // A fold of a log would be replayed as if its records held every expert's outcome; they hold what was logged.
            throw new ArgumentException(
                $"--cv folds recorded outcomes, and '{log}' holds only what the gateway logged; estimate a router on a log with " +
                "--train log:DIR:train --test log:DIR:test (off-policy estimates from the exploration records).");
        }

        var records = TrainingSources.LoadTraining(sources, dataDirectory, LogWeights.Default);
        var expertPool = EvaluationInputs.ResolvePool(pool);
        var prices = ModelPriceTable.Load(pricesPath ?? Path.Combine(dataDirectory, "models.json"));
        // Fails early, with every problem, on an unpriced or duplicated expert.
        PoolExperts.Build(expertPool, prices, records);
        return new CrossValidationInputs(records, expertPool, prices);
    }

    public IReadOnlyList<ExpertDefinition> ExpertsFor(IReadOnlyList<RoutingRecord> training) => PoolExperts.Build(Pool, Prices, training);
}
