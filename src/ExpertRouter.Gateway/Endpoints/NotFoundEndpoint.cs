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
        var error = path == "/v1/chat/completions" || path == "/v1/embeddings"
            ? new ApiError(StatusCodes.Status405MethodNotAllowed, $"Method {method} is not allowed on {path}; use POST.", "invalid_request_error", null, "method_not_allowed")
            : ApiError.NotFound($"Unknown endpoint {method} {path}.");
        return ApiErrorWriter.WriteAsync(context, error);
    }
}
