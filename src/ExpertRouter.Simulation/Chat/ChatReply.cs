namespace ExpertRouter.Simulation;

/// <summary>What one chat completion answers (one answer per choice), shared by the JSON and the SSE writers.</summary>
internal sealed record ChatReply(string Id, long Created, string Model, int PromptTokens, IReadOnlyList<SimulatedAnswer> Answers)
{
    public const string SystemFingerprint = "fp_simulator";

    public SimulatedAnswer Answer => Answers[0];

    public int CompletionTokens => Answers.Sum(answer => answer.CompletionTokens);

    public int TotalTokens => PromptTokens + CompletionTokens;
}
