using ExpertRouter.Irt.Encoding;

namespace ExpertRouter.Irt.Training;

/// <summary>One prompt's features and the recorded score of each expert that has an outcome (others are skipped).</summary>
public sealed record IrtExample(HashedFeatures Features, int[] Experts, float[] Scores);
