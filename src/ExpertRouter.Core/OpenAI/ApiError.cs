using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ExpertRouter.Core.OpenAI;

/// <summary>
/// An expected failure, carried as a value and written as OpenAI's error envelope
/// <c>{"error":{"message","type","param","code"}}</c> so every SDK surfaces it the way it surfaces OpenAI's own.
/// </summary>
public sealed record ApiError(
    [property: JsonIgnore] int StatusCode,
    string Message,
    string Type,
    string? Param = null,
    string? Code = null)
{
    /// <summary>Seconds the client should wait before retrying, for 429 and 503 answers.</summary>
    [JsonIgnore]
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Writes the envelope as UTF-8 JSON: the one place its shape is defined.</summary>
    public void WriteEnvelope(IBufferWriter<byte> output)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteStartObject("error");
        json.WriteString("message", Message);
        json.WriteString("type", Type);
        WriteNullable(json, "param", Param);
        WriteNullable(json, "code", Code);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    public byte[] ToEnvelopeJson()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        WriteEnvelope(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    public static ApiError InvalidRequest(string message, string? param = null, string? code = null) =>
        new(400, message, "invalid_request_error", param, code);

    public static ApiError InvalidJson(string detail) =>
        new(400, $"We could not parse the JSON body of your request. ({detail})", "invalid_request_error", null, "invalid_json");

    public static ApiError Unauthorized(string message) =>
        new(401, message, "invalid_request_error", null, "invalid_api_key");

    public static ApiError Forbidden(string message, string? param = null) =>
        new(403, message, "permission_error", param, "model_not_allowed");

    public static ApiError ModelNotFound(string model) =>
        new(404, $"The model '{model}' does not exist or you do not have access to it.", "invalid_request_error", "model", "model_not_found");

    public static ApiError NotFound(string message) =>
        new(404, message, "invalid_request_error", null, "not_found");

    public static ApiError PayloadTooLarge(long limitBytes) =>
        new(413, $"Request body exceeds the limit of {limitBytes} bytes.", "invalid_request_error", null, "request_too_large");

    public static ApiError UnsupportedMediaType(string? contentType) =>
        new(415, $"Content-Type '{contentType}' is not supported; send application/json.", "invalid_request_error", null, "unsupported_media_type");

    public static ApiError InsufficientQuota(string message) =>
        new(429, message, "insufficient_quota", null, "insufficient_quota");

    public static ApiError RateLimited(string message, int retryAfterSeconds) =>
        new(429, message, "rate_limit_error", null, "rate_limit_exceeded") { RetryAfterSeconds = retryAfterSeconds };

    public static ApiError NoExpertAvailable(string message) =>
        new(503, message, "server_error", "model", "no_expert_available");

    public static ApiError Upstream(int statusCode, string message) =>
        new(statusCode, message, "server_error", null, "upstream_error");

    public static ApiError Timeout(string message) =>
        new(504, message, "timeout", null, "upstream_timeout");
}
