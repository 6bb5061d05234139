using System.Text.Json.Serialization;

namespace ExpertRouter.Irt.Reading;

/// <summary>
/// What part of a request a router reads (<c>router.json</c>'s <c>reads</c>): which messages, whether the system prompt,
/// how many tokens of them, and how many distinct features at most. Training applies the same policy to every training
/// prompt (a prompt is a conversation of one user message), so the router is trained on what it will be served. A
/// folder without <c>reads</c> reads what routers always read: the last user message, whole (up to the encoder's own
/// <c>maxChars</c>), every feature.
/// </summary>
public sealed record ReadingPolicy
{
    public const string LastUser = "last-user";
    public const string UserMessages = "user";
    public const string AllMessages = "all";

    public const string Head = "head";
    public const string Tail = "tail";
    public const string HeadAndTail = "head+tail";

    /// <summary>What routers read before policies existed; what a folder without <c>reads</c> gets.</summary>
    public static ReadingPolicy Default { get; } = new();

    /// <summary>
    /// <see cref="LastUser"/> (the last user message), <see cref="UserMessages"/> (every user message) or
    /// <see cref="AllMessages"/> (user, assistant and tool messages); in the request's order.
    /// </summary>
    [JsonPropertyName("messages")]
    public string Messages { get; init; } = LastUser;

    /// <summary>Read the system (and developer) messages too, before the others.</summary>
    [JsonPropertyName("system")]
    public bool System { get; init; }

    /// <summary>
    /// Most tokens read, counted as the hashed featurizer splits text into words (runs of letters and digits); null
    /// reads everything. Which tokens are kept is <see cref="Truncate"/>.
    /// </summary>
    [JsonPropertyName("maxTokens")]
    public int? MaxTokens { get; init; }

    /// <summary><see cref="Head"/>, <see cref="Tail"/> or <see cref="HeadAndTail"/> (half each): which tokens <see cref="MaxTokens"/> keeps.</summary>
    [JsonPropertyName("truncate")]
    public string Truncate { get; init; } = Head;

    /// <summary>
    /// Most distinct hashed features a prompt keeps, those counted most often (then the lower ids), weights scaled to
    /// unit norm again; null keeps every one. Bounds the embedding lookups a request costs whatever its text.
    /// </summary>
    [JsonPropertyName("maxFeatures")]
    public int? MaxFeatures { get; init; }

    /// <summary>True when the policy reads exactly what routers read before policies existed.</summary>
    [JsonIgnore]
    public bool IsDefault => this == Default;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Messages is not (LastUser or UserMessages or AllMessages))
        {
            errors.Add($"reads.messages must be '{LastUser}', '{UserMessages}' or '{AllMessages}' (got '{Messages}').");
        }

        if (MaxTokens is < 2)
        {
            errors.Add($"reads.maxTokens must be at least 2 when set (got {MaxTokens}).");
        }

        if (Truncate is not (Head or Tail or HeadAndTail))
        {
            errors.Add($"reads.truncate must be '{Head}', '{Tail}' or '{HeadAndTail}' (got '{Truncate}').");
        }

        if (MaxFeatures is < 1)
        {
            errors.Add($"reads.maxFeatures must be at least 1 when set (got {MaxFeatures}).");
        }

        return errors;
    }

    /// <summary>A short name for tables and logs: <c>last-user</c>, <c>all+system, head+tail 256 tokens, 1024 features</c>.</summary>
    public override string ToString()
    {
        var parts = new List<string> { System ? Messages + "+system" : Messages };
        if (MaxTokens is { } tokens)
        {
            parts.Add($"{Truncate} {tokens} tokens");
        }

        if (MaxFeatures is { } features)
        {
            parts.Add($"{features} features");
        }

        return string.Join(", ", parts);
    }
}
