namespace ExpertRouter.Irt.Encoding;

/// <summary>
/// A BERT encoder's mean-pooled embedding as IRT input: feature c has weight embedding[c], and the model's table is
/// the frozen identity, so the trained head reads the embedding directly. Embeddings are computed in batches and
/// cached, since training visits each prompt many times.
/// </summary>
public sealed class BertFeaturizer(BertOnnxEncoder encoder, int batchSize = 32) : IPromptFeaturizer
{
    private readonly Dictionary<string, HashedFeatures> _cache = new(StringComparer.Ordinal);
    private readonly int[] _ids = Enumerable.Range(0, encoder.HiddenSize).ToArray();

    public BertOnnxEncoder Encoder => encoder;

    public int InputRows => encoder.HiddenSize;

    /// <summary>Encodes every prompt not yet cached, <c>batchSize</c> at a time.</summary>
    public void Warm(IEnumerable<string> prompts)
    {
        var missing = prompts.Where(p => !_cache.ContainsKey(p)).Distinct(StringComparer.Ordinal).ToArray();
        var h = encoder.HiddenSize;
        for (var start = 0; start < missing.Length; start += batchSize)
        {
            var batch = missing.AsSpan(start, Math.Min(batchSize, missing.Length - start)).ToArray();
            var embeddings = new float[batch.Length * h];
            encoder.Encode(batch, embeddings);
            for (var i = 0; i < batch.Length; i++)
            {
                _cache[batch[i]] = new HashedFeatures(_ids, embeddings.AsSpan(i * h, h).ToArray());
            }
        }
    }

    public HashedFeatures[] FeaturizeBatch(IReadOnlyList<string> prompts)
    {
        Warm(prompts);
        return prompts.Select(p => _cache[p]).ToArray();
    }

    public HashedFeatures Featurize(string prompt)
    {
        if (!_cache.TryGetValue(prompt, out var features))
        {
            Warm([prompt]);
            features = _cache[prompt];
        }

        return features;
    }
}
