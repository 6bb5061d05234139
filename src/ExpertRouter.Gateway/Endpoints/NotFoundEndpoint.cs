using ExpertRouter.Core.OpenAI;
using ExpertRouter.Gateway.OpenAI;

namespace ExpertRouter.Gateway.Endpoints;

/// <summary>Anything under <c>/v1</c> that no route takes gets OpenAI's envelope rather than an empty 404.</summary>
internal static class NotFoundEndpoint
{
    public static Task Handle(HttpContext context)
    {
        var method = context.Request.Method;
        var path = context.Request.Path;
        var error = path == OpenAIPaths.ChatCompletions || path == OpenAIPaths.Embeddings || path == "/v1/responses" || path == "/v1/messages"
            ? new ApiError(StatusCodes.Status405MethodNotAllowed, $"Method {method} is not allowed on {path}; use POST.", "invalid_request_error", null, "method_not_allowed")
            // The legacy completions API predates chat: OpenAI no longer serves it for current models and none of the
            // experts behind a routed request is bound to speak it, so the gateway points at its successor instead.
            : path == "/v1/completions"
                ? ApiError.NotFound("The legacy completions API is not served. Send the prompt as a user message to POST /v1/chat/completions (or use POST /v1/responses).")
                : ApiError.NotFound($"Unknown endpoint {method} {path}.");
        return ApiErrorWriter.WriteAsync(context, error);
    }
}
