using ExpertRouter.Core.Caching;
using ExpertRouter.Irt.Reading;

namespace ExpertRouter.Irt.Encoding;

/// <summary>
/// Turns a prompt into the sparse input of the IRT model: hashed n-gram ids, a sentence embedding as ids
/// offset..offset+383 whose weights are its coordinates, or both side by side.
/// </summary>
public interface IPromptFeaturizer
{
    /// <summary>Rows of the model's input table: hash buckets, plus the embedding size for a sentence encoder.</summary>
    int InputRows { get; }

    HashedFeatures Featurize(string prompt);

    /// <summary>
    /// One request's prompt: a sentence encoder takes its embedding from <paramref name="shared"/>, or computes it there,
    /// so other steps of the request (the semantic cache) reuse it. Featurizers without an encoder ignore it.
    /// </summary>
    HashedFeatures Featurize(string prompt, PromptEmbeddings? shared) => Featurize(prompt);

    /// <summary>
    /// What a reading policy read, as the one string it stands for; the hashed featurizer reads it in place instead of
    /// joining a cut's head and tail.
    /// </summary>
    HashedFeatures Featurize(in ReadText text, PromptEmbeddings? shared) => Featurize(text.ToString(), shared);

    /// <summary>A whole batch; a sentence encoder runs it through the network in a few runs rather than one per prompt.</summary>
    HashedFeatures[] FeaturizeBatch(IReadOnlyList<string> prompts)
    {
        var features = new HashedFeatures[prompts.Count];
        // Hashing is a good share of a batch's time and each prompt is independent.
        Parallel.For(0, features.Length, i => features[i] = Featurize(prompts[i]));
        return features;
    }
}

/// <summary>Sentence embeddings already computed, by prompt text (training visits each prompt many times).</summary>
public interface IEmbeddingStore
{
    bool TryGet(string text, out float[] embedding);

    void Add(string text, float[] embedding);
}
