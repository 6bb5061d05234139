namespace ExpertRouter.Irt.Serving;

/// <summary>
/// The names an IRT graph's inputs and output carry: the contract between the exporter (ExpertRouter.Irt.Training)
/// and the scorers that feed it here. Hashed input: <c>ids</c> and <c>weights</c>; dense input: <c>embedding</c>.
/// </summary>
public static class IrtGraphNames
{
    public const string IdsInput = "ids";
    public const string WeightsInput = "weights";

    /// <summary>The flattened layout's third input (graphs exported before 2026-11-25).</summary>
    public const string RowsInput = "rows";
    public const string EmbeddingInput = "embedding";
    public const string ProbabilitiesOutput = "probabilities";
}
