using System.Diagnostics.CodeAnalysis;
using ExpertRouter.Core.Caching;
using ExpertRouter.Core.Routing;

namespace ExpertRouter.Gateway.OpenAI;

public enum OpenAIEndpoint
{
    ChatCompletions,
    Embeddings,
}

/// <summary>
/// A validated request body and what routing needs from it. The body is kept as bytes so it can be forwarded
/// untouched except for the model name.
/// </summary>
public sealed record OpenAIRequest
{
    private readonly string? _prompt;

    public required OpenAIEndpoint Endpoint { get; init; }

    public required ReadOnlyMemory<byte> Body { get; init; }

    public required string Model { get; init; }

    /// <summary>Byte range of the top-level <c>model</c> string token, quotes included.</summary>
    public required Range ModelToken { get; init; }

    public bool Stream { get; init; }

    public bool UsesTools { get; init; }

    /// <summary>
    /// The text routing looks at: the last user message (decoded from the body on first use, so a request that names
    /// its expert never builds it), or the embeddings input.
    /// </summary>
    [AllowNull]
    public string Prompt
    {
        get => _prompt ?? (Conversation as BodyConversation)?.LastUserText ?? "";
        init => _prompt = value;
    }

    /// <summary>
    /// The chat request's messages for routers whose reading policy reads more than the last user message, decoded
    /// only on demand; null for an embeddings request.
    /// </summary>
    public IConversation? Conversation { get; init; }

    /// <summary>
    /// The prompt's embeddings, by embedder: the router and the semantic cache compute each at most once per request
    /// (a copy made with <c>with</c> shares them, as it shares the prompt).
    /// </summary>
    public PromptEmbeddings PromptEmbeddings { get; } = new();

    /// <summary>Estimated tokens of every message, for cost estimates and context-length checks.</summary>
    public int PromptTokens { get; init; }

    /// <summary><c>max_completion_tokens</c> or <c>max_tokens</c> when the client set one; bounds the cost reserved.</summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary><c>n</c>: how many answers the client asked for; each costs its own output.</summary>
    public int Choices { get; init; } = 1;

    /// <summary>The body has a top-level <c>stream_options</c> object.</summary>
    public bool HasStreamOptions { get; init; }

    /// <summary><c>temperature</c> is 0: the same request should get the same answer, so a cache may keep it.</summary>
    public bool Deterministic { get; init; }

    /// <summary>The client asked for the final usage chunk (<c>stream_options.include_usage</c>).</summary>
    public bool StreamIncludeUsage { get; init; }
}
