using System.Globalization;
using System.Text.Json;
using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.Protocols;

/// <summary>
/// An expert's failure as an <see cref="ApiError"/>: its OpenAI envelope <c>{"error":{"message","type","param","code"}}</c>
/// with the HTTP status, ready to be written in any client protocol's error shape.
/// </summary>
public static class UpstreamErrors
{
    /// <summary>A non-2xx answer: the envelope's fields when the body is one, else a message naming the status.</summary>
    public static ApiError FromResponse(int statusCode, ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error))
            {
                return FromErrorElement(error, statusCode);
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML page, a cut body): the status alone has to say it.
        }

        return Generic(statusCode);
    }

    /// <summary>An <c>error</c> member, from a body or from a stream's <c>data: {"error":...}</c> event (status unknown: null).</summary>
    public static ApiError FromErrorElement(JsonElement error, int? statusCode)
    {
        if (error.ValueKind == JsonValueKind.String)
        {
            var status = statusCode ?? 502;
            return new ApiError(status, error.GetString() ?? "", TypeFor(status));
        }

        if (error.ValueKind != JsonValueKind.Object)
        {
            return Generic(statusCode ?? 502);
        }

        var type = RequestFields.StringOrNull(error, "type");
        var code = error.TryGetProperty("code", out var codeElement) ? codeElement : default;
        var resolved = statusCode ?? StatusFrom(code, type);
        var message = RequestFields.StringOrNull(error, "message") ?? $"The expert failed with status {resolved}.";
        var codeText = code.ValueKind switch
        {
            JsonValueKind.String => code.GetString(),
            JsonValueKind.Number => code.GetRawText(),
            _ => null,
        };
        return new ApiError(resolved, message, type ?? TypeFor(resolved), RequestFields.StringOrNull(error, "param"), codeText);
    }

    private static ApiError Generic(int statusCode) =>
        new(statusCode, $"The expert failed with status {statusCode.ToString(CultureInfo.InvariantCulture)}.", TypeFor(statusCode), null, "upstream_error");

    /// <summary>A stream's error event has no status of its own: a numeric code (vLLM) or the type has to tell.</summary>
    private static int StatusFrom(JsonElement code, string? type)
    {
        if (code.ValueKind == JsonValueKind.Number && code.TryGetInt32(out var number) && number is >= 400 and <= 599)
        {
            return number;
        }

        var text = code.ValueKind == JsonValueKind.String ? code.GetString() : type;
        return text switch
        {
            "rate_limit_exceeded" or "rate_limit_error" or "insufficient_quota" => 429,
            "overloaded_error" or "overloaded" => 529,
            "timeout" or "upstream_timeout" => 504,
            "invalid_request_error" or "context_length_exceeded" => 400,
            _ => 502,
        };
    }

    private static string TypeFor(int status) => status switch
    {
        429 => "rate_limit_error",
        401 => "authentication_error",
        403 => "permission_error",
        < 500 => "invalid_request_error",
        _ => "server_error",
    };
}
