namespace ExpertRouter.Core.Caching;

/// <summary>
/// The embeddings of one request's prompt, by embedder: the first step that needs an embedder's vector computes it and
/// every later step reuses it. A router whose sentence encoder is also the tenant's cache embedder leaves its vector
/// here while it routes, so the semantic cache that runs after it does not run the encoder a second time.
/// </summary>
public sealed class PromptEmbeddings
{
    private readonly Lock _lock = new();
    private (string Embedder, string Text, float[] Vector)[] _entries = [];

    /// <summary>
    /// <paramref name="embedder"/>'s vector of <paramref name="text"/>, computed at most once per request. The returned
    /// array is shared: callers read it and never write to it.
    /// </summary>
    public float[] GetOrEmbed(ITextEmbedder embedder, string text)
    {
        lock (_lock)
        {
            foreach (var entry in _entries)
            {
                // The text is compared too: a step that embeds another part of the request must not get this vector.
                if (entry.Embedder == embedder.Name && string.Equals(entry.Text, text, StringComparison.Ordinal))
                {
                    return entry.Vector;
                }
            }

            var vector = new float[embedder.Dimensions];
            embedder.Embed(text, vector);
            _entries = [.. _entries, (embedder.Name, text, vector)];
            return vector;
        }
    }
}
