using ExpertRouter.Core.Caching;

namespace ExpertRouter.Irt.Encoding;

/// <summary>
/// A pretrained sentence encoder's unit-length embedding as IRT input: feature <c>offset + c</c> has weight
/// embedding[c], so the IRT model's input table learns a linear projection of the embedding into its own space
/// (a frozen identity table, the earlier <see cref="BertFeaturizer"/>, left the head nothing to adapt). With
/// <see cref="HashedNgramFeaturizer"/> in front (<see cref="CombinedFeaturizer"/>) the offset is its bucket count.
/// </summary>
/// <param name="pretrained">The package the encoder came from; names its vectors for <see cref="PromptEmbeddings"/>.</param>
public sealed class SentenceFeaturizer(
    BertOnnxEncoder encoder, int offset = 0, IEmbeddingStore? store = null, int batchSize = 16, PretrainedEncoder? pretrained = null)
    : IPromptFeaturizer, IDisposable
{
    private readonly int[] _ids = Enumerable.Range(offset, encoder.HiddenSize).ToArray();

    public BertOnnxEncoder Encoder => encoder;

    /// <summary>
    /// The encoder as a text embedder, named as the semantic cache names the same pretrained encoder; null for an
    /// encoder that no package names (its vectors are never shared).
    /// </summary>
    public SentenceTextEmbedder? Embedder { get; } = pretrained is null ? null : new SentenceTextEmbedder(encoder, pretrained);

    public int InputRows => offset + encoder.HiddenSize;

    public HashedFeatures Featurize(string prompt) => FeaturizeBatch([prompt])[0];

    public HashedFeatures Featurize(string prompt, PromptEmbeddings? shared) =>
        shared is not null && Embedder is { } embedder
            ? new HashedFeatures(_ids, shared.GetOrEmbed(embedder, prompt))
            : Featurize(prompt);

    public HashedFeatures[] FeaturizeBatch(IReadOnlyList<string> prompts) =>
        Embed(prompts).Select(e => new HashedFeatures(_ids, e)).ToArray();

    /// <summary>
    /// Embeddings of <paramref name="prompts"/>, taken from the store where it has them; the rest are encoded in
    /// batches of similar length (padding costs as much as tokens) and added to the store.
    /// </summary>
    public float[][] Embed(IReadOnlyList<string> prompts)
    {
        var result = new float[prompts.Count][];
        var missing = new List<int>();
        for (var i = 0; i < prompts.Count; i++)
        {
            if (store is not null && store.TryGet(prompts[i], out var known))
            {
                result[i] = known;
            }
            else
            {
                missing.Add(i);
            }
        }

        var h = encoder.HiddenSize;
        var ordered = missing.OrderBy(i => prompts[i].Length).ToArray();
        for (var start = 0; start < ordered.Length; start += batchSize)
        {
            var batch = ordered.AsSpan(start, Math.Min(batchSize, ordered.Length - start)).ToArray();
            var embeddings = new float[batch.Length * h];
            encoder.Encode(batch.Select(i => prompts[i]).ToArray(), embeddings);
            for (var k = 0; k < batch.Length; k++)
            {
                var embedding = embeddings.AsSpan(k * h, h).ToArray();
                result[batch[k]] = embedding;
                store?.Add(prompts[batch[k]], embedding);
            }
        }

        return result;
    }

    public void Dispose() => encoder.Dispose();
}

/// <summary>
/// Hashed n-grams (ids below the bucket count) and a sentence embedding (ids from the bucket count on) in one bag:
/// the IRT model's embedding is the sum of what the n-grams and the projected sentence vector contribute, each part
/// at unit length, so neither drowns the other.
/// </summary>
public sealed class CombinedFeaturizer(HashedNgramFeaturizer hashed, SentenceFeaturizer sentence) : IPromptFeaturizer, IDisposable
{
    public HashedNgramFeaturizer Hashed => hashed;

    public SentenceFeaturizer Sentence => sentence;

    public int InputRows => sentence.InputRows;

    public HashedFeatures Featurize(string prompt) => Join(hashed.Featurize(prompt), sentence.Featurize(prompt));

    public HashedFeatures Featurize(string prompt, PromptEmbeddings? shared) => Join(hashed.Featurize(prompt), sentence.Featurize(prompt, shared));

    public HashedFeatures[] FeaturizeBatch(IReadOnlyList<string> prompts)
    {
        var dense = sentence.FeaturizeBatch(prompts);
        var result = new HashedFeatures[prompts.Count];
        Parallel.For(0, prompts.Count, i => result[i] = Join(hashed.Featurize(prompts[i]), dense[i]));
        return result;
    }

    public void Dispose() => sentence.Dispose();

    private static HashedFeatures Join(HashedFeatures sparse, HashedFeatures dense) =>
        new([.. sparse.Ids, .. dense.Ids], [.. sparse.Weights, .. dense.Weights]);
}
