using System.Text.Json;
using System.Text.Json.Serialization;

namespace ExpertRouter.Simulation;

internal sealed class EmbeddingRequest
{
    [JsonPropertyName("model")]
    public string? Model { get; set; }

    /// <summary>A string or an array of strings.</summary>
    [JsonPropertyName("input")]
    public JsonElement Input { get; set; }

    [JsonPropertyName("dimensions")]
    public int? Dimensions { get; set; }

    /// <summary>"float" (default) or "base64" (what the official .NET SDK asks for).</summary>
    [JsonPropertyName("encoding_format")]
    public string? EncodingFormat { get; set; }
}
