namespace ExpertRouter.Irt.Encoding;

/// <summary>
/// A prompt as a sparse bag of hashed n-grams: distinct ids in ascending order and their weights (counts scaled to
/// unit L2 norm, so long and short prompts give embeddings of the same scale).
/// </summary>
public sealed record HashedFeatures(int[] Ids, float[] Weights) : EncodedPrompt
{
    public int Count => Ids.Length;
}
