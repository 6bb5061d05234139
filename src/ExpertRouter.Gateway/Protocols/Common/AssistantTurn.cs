namespace ExpertRouter.Gateway.Protocols;

/// <summary>
/// An expert's chat answer (first choice), whole: what the non-streamed translators render, and what a stream
/// adds up to. <see cref="MatchedStop"/> is the stop sequence that ended it, where the backend says (vLLM's
/// <c>stop_reason</c>).
/// </summary>
public sealed record AssistantTurn(
    string? Model,
    string Text,
    string Refusal,
    IReadOnlyList<AssistantToolCall> ToolCalls,
    string? FinishReason,
    string? MatchedStop,
    TokenUsage? Usage);

/// <summary>One tool call of an answer, under the expert's id (the translators mint the client's own).</summary>
public sealed record AssistantToolCall(string ExpertId, string Name, string Arguments);
