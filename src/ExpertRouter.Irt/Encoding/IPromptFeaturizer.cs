namespace ExpertRouter.Irt.Encoding;

/// <summary>Turns a prompt into the sparse input of the IRT model (hashed n-grams, or a dense embedding as ids 0..D−1).</summary>
public interface IPromptFeaturizer
{
    /// <summary>Rows of the model's input table: hash buckets, or the embedding size for a dense encoder.</summary>
    int InputRows { get; }

    HashedFeatures Featurize(string prompt);
}
