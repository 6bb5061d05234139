namespace ExpertRouter.Core.Caching;

/// <summary>
/// Turns a prompt into a unit-length vector so that close prompts have a cosine similarity near 1. The semantic
/// cache uses it; the IRT router's ONNX encoder can implement it too, so one encoder pass serves both.
/// </summary>
public interface ITextEmbedder
{
    /// <summary>Names the encoder; vectors from different encoders are never compared.</summary>
    string Name { get; }

    int Dimensions { get; }

    /// <summary>Writes an L2-normalised embedding of <paramref name="text"/> into <paramref name="destination"/>.</summary>
    void Embed(ReadOnlySpan<char> text, Span<float> destination);
}
