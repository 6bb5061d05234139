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

    /// <summary>History (from <c>previous_response_id</c>) and input, as a JSON array of chat messages.</summary>
    public required string ConversationJson { get; init; }

    /// <summary>The <c>resp_…</c> id the response gets, minted up front so it can be logged before the answer.</summary>
    public required string ResponseId { get; init; }

    /// <summary>Unix seconds at translation: the response's <c>created_at</c>.</summary>
    public required long CreatedAt { get; init; }
}
