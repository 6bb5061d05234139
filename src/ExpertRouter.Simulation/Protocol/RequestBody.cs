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
