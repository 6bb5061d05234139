using System.Text.Json;
using System.Text.Unicode;
using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.Protocols;

/// <summary>Parses a client's body into a JSON object, rejecting what the chat route rejects (empty, bad UTF-8, not JSON).</summary>
internal static class RequestJson
{
    /// <summary>The parsed document (the caller disposes it), or the 400 the client gets.</summary>
    public static (JsonDocument? Document, ApiError? Error) Parse(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty)
        {
            return (null, ApiError.InvalidRequest("The request body is empty; send a JSON object.", code: "invalid_json"));
        }

        if (!Utf8.IsValid(body.Span))
        {
            return (null, ApiError.InvalidRequest("The request body is not valid UTF-8.", code: "invalid_encoding"));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            return (null, ApiError.InvalidJson(ex.Message));
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return (null, ApiError.InvalidRequest("The request body must be a JSON object.", code: "invalid_json"));
        }

        return (document, null);
    }
}
