namespace ExpertRouter.Gateway.Protocols.Messages;

/// <summary>
/// One Anthropic Messages call translated to chat completions: the chat body to forward and what the response side
/// needs to answer in Anthropic's shape.
/// </summary>
public sealed record AnthropicCall
{
    /// <summary>The model the client asked for, carried into the chat body unchanged.</summary>
    public required string Model { get; init; }

    public bool Stream { get; init; }

    /// <summary>The chat-completions body (UTF-8 JSON) to send to the expert.</summary>
    public required byte[] ChatBody { get; init; }

    /// <summary>The <c>msg_…</c> id the answer gets, minted up front.</summary>
    public required string MessageId { get; init; }

    /// <summary>Tool names the expert sees in place of the client's, mapped back in answers.</summary>
    public ToolNameMap ToolNames { get; init; } = ToolNameMap.Empty;

    /// <summary>The request's stop_sequences: a finish on one of them is stop_reason <c>stop_sequence</c>.</summary>
    public IReadOnlyList<string> StopSequences { get; init; } = [];

    /// <summary>Input tokens estimated from the request's characters, for <c>message_start</c> before usage is known.</summary>
    public int EstimatedInputTokens { get; init; }
}
