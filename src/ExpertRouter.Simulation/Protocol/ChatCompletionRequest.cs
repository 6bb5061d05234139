using System.Text.Json;
using System.Text.Json.Serialization;

namespace ExpertRouter.Simulation;

/// <summary>The parts of an OpenAI chat completion request the simulator reads; everything else is ignored.</summary>
internal sealed class ChatCompletionRequest
{
    [JsonPropertyName("model")]
    public string? Model { get; set; }

    [JsonPropertyName("messages")]
    public List<ChatMessage>? Messages { get; set; }

    /// <summary>How many choices to answer with.</summary>
    [JsonPropertyName("n")]
    public int? N { get; set; }

    [JsonPropertyName("stream")]
    public bool Stream { get; set; }

    [JsonPropertyName("stream_options")]
    public StreamOptions? StreamOptions { get; set; }

    [JsonPropertyName("max_tokens")]
    public int? MaxTokens { get; set; }

    [JsonPropertyName("max_completion_tokens")]
    public int? MaxCompletionTokens { get; set; }

    [JsonPropertyName("tools")]
    public List<ToolDefinition>? Tools { get; set; }

    /// <summary>"none", "auto", "required", or {"type":"function","function":{"name":...}}.</summary>
    [JsonPropertyName("tool_choice")]
    public JsonElement ToolChoice { get; set; }

    [JsonPropertyName("response_format")]
    public ResponseFormat? ResponseFormat { get; set; }
}

internal sealed class ChatMessage
{
    [JsonPropertyName("role")]
    public string? Role { get; set; }

    /// <summary>A string, an array of content parts, or null (assistant tool calls).</summary>
    [JsonPropertyName("content")]
    public JsonElement Content { get; set; }

    /// <summary>The text of the message: the string, or the text parts joined.</summary>
    public string Text() => Content.ValueKind switch
    {
        JsonValueKind.String => Content.GetString() ?? "",
        JsonValueKind.Array => string.Concat(Content.EnumerateArray()
            .Where(part => part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
            .Select(part => part.GetProperty("text").GetString())),
        _ => "",
    };
}

internal sealed class StreamOptions
{
    [JsonPropertyName("include_usage")]
    public bool IncludeUsage { get; set; }
}

internal sealed class ResponseFormat
{
    /// <summary>"text", "json_object" or "json_schema".</summary>
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("json_schema")]
    public JsonSchemaFormat? JsonSchema { get; set; }
}

internal sealed class JsonSchemaFormat
{
    [JsonPropertyName("schema")]
    public JsonElement Schema { get; set; }
}

internal sealed class ToolDefinition
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("function")]
    public ToolFunction? Function { get; set; }
}

internal sealed class ToolFunction
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("parameters")]
    public JsonElement Parameters { get; set; }
}
