using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Serving;
using ExpertRouter.Irt.Training;

namespace ExpertRouter.Irt.Building;

/// <summary>
/// The router's defaults (the harness's <c>irt</c>). Chosen on the dev splits in 2026-11; five-fold cross-validation
/// over train+dev (evals/README.md) found no setting, encoder or item source better by more than the paired spread on
/// either pool, so they stand. Per-pool choices are made with <c>train --items/--encoder</c> (routers/irt-ze12 learns
/// its items from every ZeroEval model).
/// </summary>
public static class IrtDefaults
{
    public const int Members = 4;

    /// <summary>The prompt encoder <c>train</c> and the harness's <c>irt</c> use unless told otherwise.</summary>
    public const string Encoder = "hashed";

    /// <summary>Whether the prompt side learns from every recorded model's outcomes or the pool's only.</summary>
    public const bool ItemsFromAllModels = false;

    public static HashedNgramOptions Hashed { get; } = new() { Buckets = 1 << 14 };

    /// <summary>Epochs = 0 means "choose from the data size".</summary>
    public static IrtTrainingOptions Training { get; } = new() { Epochs = 0, LearningRate = 0.003f, FeatureDropout = 0.5f };

    /// <summary>
    /// About 12,000 prompt presentations, at least 6 and at most 10 epochs. With half the n-grams dropped per
    /// presentation this was best on dev among 6/9 epochs (ZeroEval, 1.3k training prompts) and 4/6/8 (MMLU-Pro, 7.6k);
    /// more epochs overfit the embedding table.
    /// </summary>
    public static int EpochsFor(int prompts) => Math.Clamp((int)Math.Round(12000.0 / Math.Max(1, prompts)), 6, 10);

    public static IrtTrainingOptions Resolve(IrtTrainingOptions options, int prompts) =>
        options.Epochs > 0 ? options : options with { Epochs = EpochsFor(prompts) };
}
