using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.Protocols.Responses;

/// <summary>
/// The Responses API's errors. Before the first byte they are OpenAI's envelope (<see cref="ApiError.ToEnvelopeJson"/>),
/// as on every OpenAI route; mid-stream they become an <c>error</c> event and a <c>response.failed</c> response whose
/// <c>error.code</c> is one of the codes the API defines.
/// </summary>
public static class ResponsesErrors
{
    public static ApiError PreviousResponseNotFound(string responseId) =>
        ApiError.InvalidRequest($"Previous response with id '{responseId}' not found.", "previous_response_id", "previous_response_not_found");

    /// <summary>The store of previous responses cannot be read (Redis down): the client can retry, or send the history itself.</summary>
    public static ApiError StoreUnavailable() =>
        new(503, "Stored responses are unavailable right now; retry, or send the conversation as input items with store: false.", "server_error", "previous_response_id", "state_store_unavailable")
        {
            RetryAfterSeconds = 1,
        };

    /// <summary>The <c>response.error.code</c> of a failed response.</summary>
    public static string FailureCode(ApiError error) => error.StatusCode == 429 ? "rate_limit_exceeded" : "server_error";

    /// <summary>The code of a stream's <c>error</c> event: the expert's own, else one derived from the status.</summary>
    public static string EventCode(ApiError error) => error.Code ?? FailureCode(error);
}
