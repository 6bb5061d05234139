using ExpertRouter.Irt.Encoding;

namespace ExpertRouter.Irt.Training;

/// <summary>
/// One prompt's features and the recorded score of each expert that has an outcome (others are skipped), with each
/// outcome's training weight when its source gave one (null: every outcome counts 1).
/// </summary>
public sealed record IrtExample(HashedFeatures Features, int[] Experts, float[] Scores)
{
    public float[]? Weights { get; init; }

    /// <summary>What this example adds to a batch's normaliser: its outcomes, weighted.</summary>
    public float TotalWeight => Weights is { } weights ? weights.Sum() : Experts.Length;

    public float WeightOf(int outcome) => Weights is { } weights ? weights[outcome] : 1f;
}
