namespace ExpertRouter.Simulation;

/// <summary>What one chat completion answers, shared by the JSON and the SSE writers.</summary>
internal sealed record ChatReply(string Id, long Created, string Model, int PromptTokens, SimulatedAnswer Answer)
{
    public const string SystemFingerprint = "fp_simulator";

    public int TotalTokens => PromptTokens + Answer.CompletionTokens;
}
