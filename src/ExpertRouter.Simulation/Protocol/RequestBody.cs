using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ExpertRouter.Core.OpenAI;
using Microsoft.AspNetCore.Http;

namespace ExpertRouter.Simulation;

/// <summary>Reads a JSON request body; a malformed body is an <see cref="ApiError"/>, not an exception.</summary>
internal static class RequestBody
{
    public static async ValueTask<(T? Body, ApiError? Error)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        if (request.ContentType is { } contentType && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, ApiError.UnsupportedMediaType(contentType));
        }

        try
        {
            var body = await JsonSerializer.DeserializeAsync(request.Body, typeInfo, request.HttpContext.RequestAborted);
            return body is null ? (null, ApiError.InvalidJson("the body is null")) : (body, null);
        }
        catch (JsonException ex)
        {
            return (null, ApiError.InvalidJson(ex.Message));
        }
    }
}

/// <summary>Reads a JSON request body as a document, for the APIs whose items are too polymorphic to bind to classes.</summary>
internal static class RequestDocument
{
    /// <summary>The parsed body (the caller disposes it), or why it is unusable; a non-object body is an error too.</summary>
    public static async ValueTask<(JsonDocument? Document, ApiError? Error)> ReadAsync(HttpRequest request)
    {
        if (request.ContentType is { } contentType && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, ApiError.UnsupportedMediaType(contentType));
        }

        try
        {
            var document = await JsonDocument.ParseAsync(request.Body, default, request.HttpContext.RequestAborted);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return (document, null);
            }

            document.Dispose();
            return (null, ApiError.InvalidRequest("The request body must be a JSON object.", code: "invalid_json"));
        }
        catch (JsonException ex)
        {
            return (null, ApiError.InvalidJson(ex.Message));
        }
    }
}
