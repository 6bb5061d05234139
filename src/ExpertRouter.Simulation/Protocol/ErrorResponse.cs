using System.Globalization;
using System.Text.Json;
using ExpertRouter.Core.OpenAI;
using Microsoft.AspNetCore.Http;

namespace ExpertRouter.Simulation;

/// <summary>Writes an error as OpenAI's envelope <c>{"error":{"message","type","param","code"}}</c> or as Anthropic's.</summary>
internal static class ErrorResponse
{
    public static async Task WriteAsync(HttpContext context, ApiError error, ErrorShape shape = ErrorShape.OpenAI)
    {
        var response = context.Response;
        response.StatusCode = error.StatusCode;
        response.ContentType = "application/json";
        if (error.RetryAfterSeconds is { } retryAfter)
        {
            response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        }

        if (shape == ErrorShape.Anthropic)
        {
            using var json = new Utf8JsonWriter(response.BodyWriter);
            WriteAnthropic(json, error);
        }
        else
        {
            error.WriteEnvelope(response.BodyWriter);
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    /// <summary>Anthropic's error object, also the payload of its streamed <c>error</c> event.</summary>
    public static void WriteAnthropic(Utf8JsonWriter json, ApiError error)
    {
        json.WriteStartObject();
        json.WriteString("type", "error");
        json.WriteStartObject("error");
        json.WriteString("type", AnthropicType(error.StatusCode));
        json.WriteString("message", error.Message);
        json.WriteEndObject();
        json.WriteEndObject();
        json.Flush();
    }

    private static string AnthropicType(int status) => status switch
    {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        503 or 529 => "overloaded_error",
        < 500 => "invalid_request_error",
        _ => "api_error",
    };
}
