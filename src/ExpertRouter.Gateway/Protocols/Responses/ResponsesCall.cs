namespace ExpertRouter.Gateway.Protocols.Responses;

/// <summary>
/// One Responses API call translated to chat completions: the chat body to forward, and what the response side
/// needs (the request, the id and time minted for the response, the conversation so far for the store).
/// </summary>
public sealed record ResponsesCall
{
    public required ResponsesRequest Request { get; init; }

    /// <summary>The chat-completions body (UTF-8 JSON) to send to the expert; <c>model</c> is the client's, unchanged.</summary>
    public required byte[] ChatBody { get; init; }

    /// <summary>
    /// Where <see cref="ChatBody"/> holds the history (from <c>previous_response_id</c>) and the input: the chat
    /// messages the store keeps, with the answer after them. Instructions are not among them.
    /// </summary>
    public required Range Conversation { get; init; }

    /// <summary>The conversation's chat messages, comma-separated (UTF-8 JSON, the elements of an array without its brackets).</summary>
    public ReadOnlyMemory<byte> ConversationMessages => ChatBody.AsMemory(Conversation);

    /// <summary>The <c>resp_…</c> id the response gets, minted up front so it can be logged before the answer.</summary>
    public required string ResponseId { get; init; }

    /// <summary>Unix seconds at translation: the response's <c>created_at</c>.</summary>
    public required long CreatedAt { get; init; }
}
