namespace ExpertRouter.Simulation;

/// <summary>Which API's error body an endpoint answers with.</summary>
internal enum ErrorShape
{
    /// <summary><c>{"error":{"message","type","param","code"}}</c>: chat completions, embeddings, the Responses API.</summary>
    OpenAI,

    /// <summary><c>{"type":"error","error":{"type","message"}}</c>: Anthropic Messages.</summary>
    Anthropic,
}
