using System.Buffers;
using System.Text.Json;
using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.Protocols.Messages;

/// <summary>
/// Anthropic's error shape, <c>{"type":"error","error":{"type","message"}}</c>, for any <see cref="ApiError"/>: the
/// gateway's own (validation, auth, budget) and an expert's OpenAI envelope read by <see cref="UpstreamErrors"/>.
/// The HTTP status stays; the type follows from it, as Anthropic's do.
/// </summary>
public static class AnthropicErrors
{
    /// <summary>invalid_request_error, authentication_error, permission_error, not_found_error, rate_limit_error, api_error or overloaded_error.</summary>
    public static string TypeOf(ApiError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.StatusCode switch
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

    /// <summary>The error body for a response that has not started.</summary>
    public static byte[] ToJson(ApiError error)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, ProtocolJson.WriterOptions))
        {
            Write(json, error);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>An expert's non-2xx answer (its status and body) in Anthropic's shape.</summary>
    public static byte[] FromUpstream(int statusCode, ReadOnlySpan<byte> body) => ToJson(UpstreamErrors.FromResponse(statusCode, body));

    /// <summary>The error object, also the payload of a stream's <c>error</c> event.</summary>
    internal static void Write(Utf8JsonWriter json, ApiError error)
    {
        json.WriteStartObject();
        json.WriteString("type", "error");
        json.WriteStartObject("error");
        json.WriteString("type", TypeOf(error));
        json.WriteString("message", error.Message);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
