using System.Security.Cryptography;
using System.Text;
using ExpertRouter.Core.Experts;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Evaluation.Metrics;
using ExpertRouter.Evaluation.Routers;

namespace ExpertRouter.Evaluation.Harness;

public sealed record CrossValidationOptions
{
    public int Folds { get; init; } = 5;

    /// <summary>Seeds the fold assignment and every router's training, the same for every router.</summary>
    public int Seed { get; init; } = 17;

    public int Settings { get; init; } = 41;

    /// <summary>When set, each fold's test prompts are replayed as conversations of this shape (training stays as recorded).</summary>
    public ConversationProbe? Conversations { get; init; }

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Folds < 2)
        {
            errors.Add($"folds must be at least 2 (got {Folds}).");
        }

        if (Settings < 2)
        {
            errors.Add($"settings must be at least 2 (got {Settings}).");
        }

        return errors;
    }
}

/// <summary>
/// K-fold cross-validation by prompt: every record goes to the fold its prompt text hashes to (with the seed), so
/// identical prompt texts share a fold and never sit on both sides; every router sees the same folds. Each fold is
/// evaluated as <see cref="PoolEvaluator"/> would (a router trained on the other folds, replayed over the λ sweep),
/// and the metrics are summarised as mean and spread over folds. One split of a few hundred prompts cannot choose a
/// seed or a setting (its cost to match moved 28–98% with the seed on ZE-12's dev split); a mean over five can.
/// </summary>
public sealed class CrossValidation(CrossValidationOptions options)
{
    public event Action<string, string, double>? Progress;

    /// <summary>The fold of a prompt: a hash of the seed and the prompt's text, modulo the number of folds.</summary>
    public static int FoldOf(string prompt, int folds, int seed)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(seed.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\u0001" + prompt), hash);
        return (int)(BitConverter.ToUInt32(hash) % (uint)folds);
    }

    public static IReadOnlyList<(IReadOnlyList<RoutingRecord> Train, IReadOnlyList<RoutingRecord> Test)> Split(
        IReadOnlyList<RoutingRecord> records, int folds, int seed)
    {
        var fold = records.Select(r => FoldOf(r.Prompt, folds, seed)).ToArray();
        return Enumerable.Range(0, folds)
            .Select(k => ((IReadOnlyList<RoutingRecord>)records.Where((_, i) => fold[i] != k).ToArray(),
                (IReadOnlyList<RoutingRecord>)records.Where((_, i) => fold[i] == k).ToArray()))
            .ToArray();
    }

    /// <param name="experts">The pool priced for a fold's training records (expected output lengths come from them).</param>
    public async Task<CrossValidationResult> EvaluateAsync(
        string poolName,
        IReadOnlyList<RoutingRecord> records,
        Func<IReadOnlyList<RoutingRecord>, IReadOnlyList<ExpertDefinition>> experts,
        IReadOnlyList<IRouterTrainer> trainers,
        CancellationToken cancellationToken)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid cross-validation options: " + string.Join(" ", errors), nameof(options));
        }

        var folds = Split(records, options.Folds, options.Seed);
        var evaluator = new PoolEvaluator(new PoolEvaluationOptions { Settings = options.Settings, BootstrapSamples = 0, Seed = options.Seed });
        var cells = new List<FoldMetrics>();
        for (var k = 0; k < folds.Count; k++)
        {
            var fold = k;
            void Report(string router, string stage, double fraction) => Progress?.Invoke($"fold {fold + 1}/{folds.Count} {router}", stage, fraction);
            evaluator.Progress += Report;
            var (train, test) = folds[k];
            test = options.Conversations?.Wrap(test, train, options.Seed) ?? test;
            var evaluation = await evaluator.EvaluateAsync(poolName, train, test, experts(train), trainers, cancellationToken).ConfigureAwait(false);
            evaluator.Progress -= Report;
            cells.AddRange(evaluation.Routers.Select(r => FoldMetrics.From(k, evaluation, r)));
        }

        return new CrossValidationResult(poolName, records.Count, options, trainers.Select(t => t.Name).ToArray(), cells);
    }
}

/// <summary>One router on one fold.</summary>
public sealed record FoldMetrics(
    int Fold,
    string Router,
    int TrainPrompts,
    int TestPrompts,
    string BestExpert,
    double Aiq,
    double QualityAtHalfBestCost,
    double? CostToMatchBest,
    double Apgr,
    double TrainSeconds)
{
    public static FoldMetrics From(int fold, PoolEvaluation evaluation, RouterEvaluation router)
    {
        var best = evaluation.Singles.Best.Point;
        var half = QualityCostMetrics.QualityAtCost(router.Hull, best with { CostPer1K = best.CostPer1K / 2 });
        return new FoldMetrics(
            fold, router.Router, evaluation.TrainPrompts, evaluation.TestPrompts, evaluation.Singles.Best.Expert.Id,
            router.Aiq, half, router.CostToMatchBest, router.Apgr, router.TrainTime.TotalSeconds);
    }
}
