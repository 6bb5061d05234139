namespace ExpertRouter.Gateway.Caching;

/// <summary>
/// A stored answer: always a complete non-streaming <c>chat.completion</c> body (a streamed answer is reassembled
/// before it is stored), with what is needed to replay it and to price what a hit saved.
/// </summary>
public sealed record CachedResponse
{
    public required byte[] Completion { get; init; }

    /// <summary>The expert that produced the answer.</summary>
    public required string Expert { get; init; }

    public long PromptTokens { get; init; }

    public long CompletionTokens { get; init; }

    public DateTimeOffset StoredAt { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The last user message, kept so a semantic neighbour's guard can be checked against it.</summary>
    public string Prompt { get; init; } = "";
}
