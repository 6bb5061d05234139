using ExpertRouter.Core.Caching;

namespace ExpertRouter.Irt.Encoding;

/// <summary>
/// A pretrained sentence encoder as the semantic cache's <see cref="ITextEmbedder"/>. Its name carries the model's
/// SHA-256 prefix, so the router's featurizer and the cache agree on a vector only when they run the same graph.
/// Does not own the encoder: the featurizer or <c>CacheEmbedders</c> that loaded it disposes it.
/// </summary>
public sealed class SentenceTextEmbedder(BertOnnxEncoder encoder, PretrainedEncoder pretrained) : ITextEmbedder
{
    public string Name { get; } = NameOf(pretrained);

    public int Dimensions => encoder.HiddenSize;

    public BertOnnxEncoder Encoder => encoder;

    /// <summary>"minilm-4a64cee3d413": the encoder's name and the first 12 hex digits of its graph's SHA-256.</summary>
    public static string NameOf(PretrainedEncoder pretrained) => $"{pretrained.Name}-{pretrained.ModelSha256[..12]}";

    public void Embed(ReadOnlySpan<char> text, Span<float> destination)
    {
        if (destination.Length != Dimensions)
        {
            throw new ArgumentException($"Destination must hold {Dimensions} floats.", nameof(destination));
        }

        // The encoder normalises pretrained sentence embeddings to unit length, as ITextEmbedder requires.
        encoder.Encode([text.ToString()], destination);
    }
}
