using System.Globalization;
using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.OpenAI;

/// <summary>Writes an <see cref="ApiError"/> as OpenAI's error envelope.</summary>
public static class ApiErrorWriter
{
    public static async Task WriteAsync(HttpContext context, ApiError error)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            return;
        }

        var body = error.ToEnvelopeJson();
        response.StatusCode = error.StatusCode;
        response.ContentType = "application/json";
        // A known length completes the answer even when Kestrel then closes a connection whose body it cannot drain.
        response.ContentLength = body.Length;
        if (error.RetryAfterSeconds is { } retryAfter)
        {
            response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        }

        await response.Body.WriteAsync(body, context.RequestAborted);
    }
}
