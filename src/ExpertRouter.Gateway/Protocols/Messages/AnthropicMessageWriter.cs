using System.Text.Json;

namespace ExpertRouter.Gateway.Protocols.Messages;

/// <summary>Writes an Anthropic <c>message</c> object and its usage.</summary>
internal static class AnthropicMessageWriter
{
    /// <summary>The message up to its content blocks, which the caller writes next (none for message_start), then <see cref="WriteEnd"/>.</summary>
    public static void WriteStart(Utf8JsonWriter json, AnthropicCall call, string model)
    {
        json.WriteStartObject();
        json.WriteString("id", call.MessageId);
        json.WriteString("type", "message");
        json.WriteString("role", "assistant");
        json.WriteString("model", model);
        json.WriteStartArray("content");
    }

    /// <summary>The message after its content blocks: why it stopped, and its usage.</summary>
    public static void WriteEnd(Utf8JsonWriter json, AnthropicCall call, (string Reason, string? StopSequence)? stop, TokenUsage? usage)
    {
        json.WriteEndArray();
        json.WriteString("stop_reason", stop?.Reason);
        json.WriteString("stop_sequence", stop?.StopSequence);
        json.WritePropertyName("usage");
        WriteUsage(json, call, usage);
        json.WriteEndObject();
    }

    /// <summary>
    /// Usage in Anthropic's terms: input_tokens leaves out the tokens read from a prompt cache (OpenAI counts them
    /// in prompt_tokens), reported as cache_read_input_tokens. Before usage is known, input is the request's estimate.
    /// </summary>
    public static void WriteUsage(Utf8JsonWriter json, AnthropicCall call, TokenUsage? usage)
    {
        json.WriteStartObject();
        json.WriteNumber("input_tokens", usage is null ? call.EstimatedInputTokens : usage.InputTokens - usage.CachedInputTokens);
        json.WriteNumber("output_tokens", usage?.OutputTokens ?? 0);
        json.WriteNumber("cache_creation_input_tokens", 0);
        json.WriteNumber("cache_read_input_tokens", usage?.CachedInputTokens ?? 0);
        json.WriteEndObject();
    }

    public static void WriteTextBlock(Utf8JsonWriter json, string text)
    {
        json.WriteStartObject();
        json.WriteString("type", "text");
        json.WriteString("text", text);
        json.WriteEndObject();
    }

    /// <summary>A tool_use block; arguments that are not JSON are passed as a string, for the client's validation to reject.</summary>
    public static void WriteToolUseBlock(Utf8JsonWriter json, string id, string name, string? arguments)
    {
        json.WriteStartObject();
        json.WriteString("type", "tool_use");
        json.WriteString("id", id);
        json.WriteString("name", name);
        json.WritePropertyName("input");
        if (arguments is null || string.IsNullOrWhiteSpace(arguments))
        {
            json.WriteStartObject();
            json.WriteEndObject();
        }
        else if (IsJson(arguments))
        {
            json.WriteRawValue(arguments, skipInputValidation: true);
        }
        else
        {
            json.WriteStringValue(arguments);
        }

        json.WriteEndObject();
    }

    private static bool IsJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
