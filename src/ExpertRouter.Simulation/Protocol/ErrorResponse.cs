using System.Globalization;
using ExpertRouter.Core.OpenAI;
using Microsoft.AspNetCore.Http;

namespace ExpertRouter.Simulation;

/// <summary>Writes OpenAI's error envelope <c>{"error":{"message","type","param","code"}}</c>.</summary>
internal static class ErrorResponse
{
    public static async Task WriteAsync(HttpContext context, ApiError error)
    {
        var response = context.Response;
        response.StatusCode = error.StatusCode;
        response.ContentType = "application/json";
        if (error.RetryAfterSeconds is { } retryAfter)
        {
            response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        }

        error.WriteEnvelope(response.BodyWriter);
        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
