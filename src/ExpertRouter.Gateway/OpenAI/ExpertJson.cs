using System.Text.Json;

namespace ExpertRouter.Gateway.OpenAI;

/// <summary>
/// Reads fields out of an expert's JSON, whose kinds nothing has checked. <see cref="JsonElement"/>'s
/// <c>TryGetInt64</c>, <c>TryGetInt32</c> and <c>GetString</c> throw <see cref="InvalidOperationException"/> (not
/// <see cref="JsonException"/>) on a value of another kind, so an expert that quotes a count (<c>"prompt_tokens":"5"</c>)
/// or numbers its id threw out of whatever read it. Here a field of the wrong kind is simply absent.
/// </summary>
internal static class ExpertJson
{
    public static long? Int64(JsonElement element, string name) =>
        Field(element, name, JsonValueKind.Number) is { } value && value.TryGetInt64(out var number) ? number : null;

    public static int? Int32(JsonElement element, string name) =>
        Field(element, name, JsonValueKind.Number) is { } value && value.TryGetInt32(out var number) ? number : null;

    public static string? String(JsonElement element, string name) => Field(element, name, JsonValueKind.String)?.GetString();

    private static JsonElement? Field(JsonElement element, string name, JsonValueKind kind) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == kind ? value : null;
}
