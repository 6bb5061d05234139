namespace ExpertRouter.Gateway.Protocols.Messages;

/// <summary>Chat's finish_reason in Anthropic's terms.</summary>
internal static class AnthropicStopReason
{
    /// <summary>
    /// stop: end_turn, or stop_sequence when the backend names the request's stop sequence it hit (vLLM's
    /// stop_reason); length: max_tokens; tool_calls: tool_use; content_filter or a refusal: refusal.
    /// </summary>
    public static (string Reason, string? StopSequence) From(string? finishReason, string? matchedStop, bool refused, AnthropicCall call)
    {
        if (refused || finishReason == "content_filter")
        {
            return ("refusal", null);
        }

        return finishReason switch
        {
            "length" => ("max_tokens", null),
            "tool_calls" or "function_call" => ("tool_use", null),
            _ when matchedStop is not null && call.StopSequences.Contains(matchedStop, StringComparer.Ordinal) => ("stop_sequence", matchedStop),
            _ => ("end_turn", null),
        };
    }
}
