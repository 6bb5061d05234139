using ExpertRouter.Core.Experts;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Reading;
using ExpertRouter.Irt.Serving;
using ExpertRouter.Irt.Training;

namespace ExpertRouter.Irt.Building;

/// <summary>Everything one router build needs; experts carry prices and expected output tokens.</summary>
public sealed record IrtBuildRequest
{
    public required IReadOnlyList<RoutingRecord> Train { get; init; }

    public required IReadOnlyList<ExpertDefinition> Experts { get; init; }

    public HashedNgramOptions Hashed { get; init; } = new();

    /// <summary>
    /// What the prompt side reads: hashed n-grams (default, from <see cref="Hashed"/>), a pretrained sentence encoder, or
    /// both (see <see cref="PromptFeaturizers.Parse"/>). Ignored when <see cref="Featurizer"/> or <see cref="Bert"/> is set.
    /// </summary>
    public EncoderSpec? Encoder { get; init; }

    /// <summary>A featurizer built already for <see cref="Encoder"/> (the harness shares one, and its encoder, across folds).</summary>
    public IPromptFeaturizer? Featurizer { get; init; }

    /// <summary>
    /// Learn the prompt side (embedding, discrimination, difficulty) from the outcomes of every model in the training
    /// records, not only the pool's; the pool's experts are the first rows of θ and β, and only they are kept.
    /// </summary>
    public bool ItemsFromAllModels { get; init; }

    public IrtTrainingOptions Options { get; init; } = new();

    /// <summary>
    /// What of a prompt the router reads, in training as in serving (each training prompt is one user message):
    /// its tokens and features are cut as the served router's will be. Written into <c>router.json</c> unless default.
    /// </summary>
    public ReadingPolicy Reads { get; init; } = ReadingPolicy.Default;

    /// <summary>
    /// A BERT-family encoder to use instead of hashed n-grams: it stays frozen and only the IRT head is trained on
    /// its mean-pooled embeddings (EmbeddingSize becomes its hidden size).
    /// </summary>
    public BertOnnxEncoder? Bert { get; init; }

    /// <summary>Where <see cref="Bert"/> came from (encoder graph, vocab.txt, max tokens, lower-casing), for the folder.</summary>
    public EncoderSpec? BertSource { get; init; }

    /// <summary>Models trained from seeds Seed, Seed+1, …; their probabilities are averaged.</summary>
    public int Members { get; init; } = 5;

    /// <summary>Every n-th training prompt (by a hash of its id) is held out to calibrate λ; 0 calibrates in-sample.</summary>
    public int CalibrationHoldoutEvery { get; init; } = 10;

    public IProgress<double>? Progress { get; init; }

    /// <summary>
    /// A trained router to continue from instead of random weights (retraining a serving router on its gateway's log):
    /// its members, encoder width and ability dimensions are used, and the weight decay pulls toward its weights.
    /// </summary>
    public WarmStart? Start { get; init; }

    /// <summary>How strongly a warm start's weights hold (see <see cref="WarmStart.AnchorGrid"/>); null: chosen by held-out log loss.</summary>
    public float? Anchor { get; init; }

    /// <summary>The encoder the folder will name.</summary>
    public EncoderSpec EncoderSpec => Encoder ?? new EncoderSpec { Kind = EncoderSpec.Hashed, HashedNgrams = Hashed };

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>(Options.Validate());
        errors.AddRange(Hashed.Validate());
        errors.AddRange(Reads.Validate());
        if (Reads.MaxFeatures is not null && (Bert is not null || EncoderSpec.Kind is not (EncoderSpec.Hashed or EncoderSpec.HashedSentence)))
        {
            errors.Add("reads.maxFeatures caps hashed n-gram features; this encoder has none.");
        }
        if (Encoder is not null)
        {
            errors.AddRange(Encoder.Validate());
        }

        if (Members < 1)
        {
            errors.Add($"members must be at least 1 (got {Members}).");
        }

        if (Experts.Count == 0)
        {
            errors.Add("the pool has no experts.");
        }

        if (Train.Count == 0)
        {
            errors.Add("there are no training prompts.");
        }

        if (Bert is not null && BertSource is null)
        {
            errors.Add("a BERT encoder needs its source files (BertSource) so the router folder can carry them.");
        }

        if (Start is not null && (Bert is not null || ItemsFromAllModels))
        {
            errors.Add("a warm start continues a hashed-n-gram router on its pool's outcomes: it takes neither a BERT encoder nor items from every model.");
        }

        if (Start is not null && (Options.EmbeddingSize != Start.EmbeddingSize || Options.AbilityDimensions != Start.AbilityDimensions))
        {
            errors.Add($"a warm start keeps the starting router's shape ({Start.EmbeddingSize} embedding, {Start.AbilityDimensions} ability dimensions); the options say {Options.EmbeddingSize} and {Options.AbilityDimensions}.");
        }

        if (Anchor is < 0 or float.NaN)
        {
            errors.Add($"the anchor must not be negative (got {Anchor}).");
        }

        if (CalibrationHoldoutEvery is < 0 or 1)
        {
            errors.Add($"calibration hold-out must be 0 or at least 2 (got {CalibrationHoldoutEvery}).");
        }

        return errors;
    }
}
