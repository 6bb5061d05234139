using System.Text.Json;
using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.Protocols;

/// <summary>The 400s a malformed request gets, each naming the offending field by its path.</summary>
internal static class RequestProblems
{
    public static ApiError Missing(string path) =>
        ApiError.InvalidRequest($"Missing required parameter: '{path}'.", path, "missing_required_parameter");

    public static ApiError WrongType(string path, string expected, JsonElement actual) =>
        ApiError.InvalidRequest($"Invalid type for '{path}': expected {expected}, but got {Describe(actual)} instead.", path, "invalid_type");

    public static ApiError Invalid(string path, string problem) =>
        ApiError.InvalidRequest($"Invalid value for '{path}': {problem}", path, "invalid_value");

    public static ApiError Empty(string path) =>
        ApiError.InvalidRequest($"Invalid value for '{path}': must not be empty.", path, "empty_array");

    public static ApiError Unsupported(string path, string what) =>
        ApiError.InvalidRequest($"Unsupported value for '{path}': {what}", path, "unsupported_value");

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
