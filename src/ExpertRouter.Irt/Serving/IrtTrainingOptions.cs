using System.Text.Json.Serialization;
using ExpertRouter.Irt.Serving;

namespace ExpertRouter.Irt.Serving;

/// <summary>Hyper-parameters of one training run; stored in <c>router.json</c>.</summary>
public sealed record IrtTrainingOptions
{
    [JsonPropertyName("seed")]
    public int Seed { get; init; } = 17;

    [JsonPropertyName("embeddingSize")]
    public int EmbeddingSize { get; init; } = 32;

    [JsonPropertyName("abilityDimensions")]
    public int AbilityDimensions { get; init; } = 8;

    [JsonPropertyName("epochs")]
    public int Epochs { get; init; } = 20;

    [JsonPropertyName("batchSize")]
    public int BatchSize { get; init; } = 32;

    [JsonPropertyName("learningRate")]
    public float LearningRate { get; init; } = 0.01f;

    /// <summary>Decoupled (AdamW) weight decay on every weight.</summary>
    [JsonPropertyName("weightDecay")]
    public float WeightDecay { get; init; } = 1e-4f;

    /// <summary>Adds the per-expert linear read-out U of the embedding to the M-IRT logit.</summary>
    [JsonPropertyName("expertLinear")]
    public bool ExpertLinear { get; init; }

    /// <summary>Share of a prompt's n-grams dropped at random in each presentation (0 = none); regularises the table.</summary>
    [JsonPropertyName("featureDropout")]
    public float FeatureDropout { get; init; }

    /// <summary>The embedding table's learning rate relative to the rest of the model.</summary>
    [JsonPropertyName("embeddingLearningRateScale")]
    public float EmbeddingLearningRateScale { get; init; } = 1f;

    /// <summary>Standard deviation of the initial embedding table.</summary>
    [JsonPropertyName("initScale")]
    public float InitScale { get; init; } = 0.3f;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (EmbeddingSize < 1)
        {
            errors.Add($"embeddingSize must be positive (got {EmbeddingSize}).");
        }

        if (AbilityDimensions < 1)
        {
            errors.Add($"abilityDimensions must be positive (got {AbilityDimensions}).");
        }

        if (Epochs < 1)
        {
            errors.Add($"epochs must be positive (got {Epochs}).");
        }

        if (BatchSize < 1)
        {
            errors.Add($"batchSize must be positive (got {BatchSize}).");
        }

        if (!(LearningRate > 0))
        {
            errors.Add($"learningRate must be positive (got {LearningRate}).");
        }

        if (FeatureDropout is < 0 or >= 1)
        {
            errors.Add($"featureDropout must be in [0, 1) (got {FeatureDropout}).");
        }

        if (!(EmbeddingLearningRateScale >= 0))
        {
            errors.Add($"embeddingLearningRateScale must not be negative (got {EmbeddingLearningRateScale}).");
        }

        if (WeightDecay < 0)
        {
            errors.Add($"weightDecay must not be negative (got {WeightDecay}).");
        }

        return errors;
    }
}
