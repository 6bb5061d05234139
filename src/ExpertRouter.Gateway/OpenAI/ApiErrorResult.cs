using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.OpenAI;

/// <summary>An <see cref="ApiError"/> as a minimal API result, so typed endpoints (the admin API) answer in the same envelope as <c>/v1</c>.</summary>
public sealed class ApiErrorResult(ApiError error) : IResult, IStatusCodeHttpResult
{
    public ApiError Error { get; } = error;

    public int? StatusCode => Error.StatusCode;

    public Task ExecuteAsync(HttpContext httpContext) => ApiErrorWriter.WriteAsync(httpContext, Error);
}
