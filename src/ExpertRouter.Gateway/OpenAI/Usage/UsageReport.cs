using System.Text.Json;

namespace ExpertRouter.Gateway.OpenAI.Usage;

/// <summary>Token counts from an expert's <c>usage</c> object.</summary>
public readonly record struct UsageReport(long PromptTokens, long CompletionTokens)
{
    /// <summary>Reads a top-level <c>usage</c> object out of a whole JSON document.</summary>
    public static UsageReport? FromDocument(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("usage", out var usage)
                ? FromElement(usage)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Finds the last <c>"usage":{...}</c> in the tail of a body too large to keep whole. Experts put usage last;
    /// a quote escaped inside a string (<c>\"usage\"</c>) is not a key and is skipped.
    /// </summary>
    public static UsageReport? FromTail(ReadOnlySpan<byte> tail)
    {
        var key = "\"usage\""u8;
        for (var end = tail.Length; end > 0;)
        {
            var at = tail[..end].LastIndexOf(key);
            if (at < 0)
            {
                return null;
            }

            end = at;
            if (at > 0 && tail[at - 1] == (byte)'\\')
            {
                continue;
            }

            var rest = tail[(at + key.Length)..].TrimStart(" \t\r\n"u8);
            if (rest.IsEmpty || rest[0] != (byte)':')
            {
                continue;
            }

            try
            {
                var reader = new Utf8JsonReader(rest[1..].TrimStart(" \t\r\n"u8));
                using var value = JsonDocument.ParseValue(ref reader);
                return FromElement(value.RootElement);
            }
            catch (JsonException)
            {
                return null;
            }
        }

        return null;
    }

    public static UsageReport? FromElement(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (!usage.TryGetProperty("prompt_tokens", out var prompt) || !prompt.TryGetInt64(out var promptTokens))
        {
            return FromNative(usage);
        }

        // Embeddings report prompt and total tokens only.
        var completionTokens = usage.TryGetProperty("completion_tokens", out var completion) && completion.TryGetInt64(out var c) ? c
            : usage.TryGetProperty("total_tokens", out var total) && total.TryGetInt64(out var t) ? Math.Max(0, t - promptTokens)
            : 0;
        return new UsageReport(promptTokens, completionTokens);
    }

    /// <summary>
    /// A Responses or Anthropic Messages <c>usage</c> (<c>input_tokens</c>, <c>output_tokens</c>), as a passed-through
    /// answer reports it. Anthropic counts prompt-cache reads and writes apart from <c>input_tokens</c>; they are input too.
    /// </summary>
    public static UsageReport? FromNative(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object || Long(usage, "input_tokens") is not { } input)
        {
            return null;
        }

        input += (Long(usage, "cache_creation_input_tokens") ?? 0) + (Long(usage, "cache_read_input_tokens") ?? 0);
        return new UsageReport(input, Long(usage, "output_tokens") ?? 0);
    }

    private static long? Long(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.TryGetInt64(out var number) ? number : null;
}
