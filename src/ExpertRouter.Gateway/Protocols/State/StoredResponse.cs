namespace ExpertRouter.Gateway.Protocols.State;

/// <summary>
/// What a later request needs to continue from a response (<c>previous_response_id</c>): the whole conversation up
/// to and including the response's output, as a JSON array of chat-completions messages (assistant text and tool
/// calls under the call ids the client saw). Instructions are not kept: OpenAI does not carry them over either.
/// </summary>
public sealed record StoredResponse(string ResponseId, string MessagesJson, DateTimeOffset ExpiresAt);
