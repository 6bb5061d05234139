using System.Text.Json;

namespace ExpertRouter.Gateway.OpenAI.Usage;

/// <summary>Token counts from an expert's <c>usage</c> object.</summary>
public readonly record struct UsageReport(long PromptTokens, long CompletionTokens)
{
    /// <summary>
    /// Reads a top-level <c>usage</c> object out of a whole JSON document. Every non-streamed answer passes here, so a
    /// reader steps over the rest of it (the answer's text, embeddings' vectors) instead of building a document of it.
    /// </summary>
    public static UsageReport? FromDocument(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            UsageReport? usage = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isUsage = reader.ValueTextEquals("usage"u8);
                reader.Read();
                if (isUsage)
                {
                    // A repeated key counts as its last occurrence, as a parsed document reads it.
                    usage = FromReader(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }

            return usage;
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

    /// <summary><see cref="FromElement"/>'s reading of the value the reader is on (which it consumes).</summary>
    private static UsageReport? FromReader(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        long? prompt = null, completion = null, total = null, input = null, output = null, cacheWrites = null, cacheReads = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // ValueTextEquals reads an escaped key (\u0070rompt_tokens) as the field it names.
            var field = reader.ValueTextEquals("prompt_tokens"u8) ? 0
                : reader.ValueTextEquals("completion_tokens"u8) ? 1
                : reader.ValueTextEquals("total_tokens"u8) ? 2
                : reader.ValueTextEquals("input_tokens"u8) ? 3
                : reader.ValueTextEquals("output_tokens"u8) ? 4
                : reader.ValueTextEquals("cache_creation_input_tokens"u8) ? 5
                : reader.ValueTextEquals("cache_read_input_tokens"u8) ? 6
                : -1;
            reader.Read();
            long? value = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number) ? number : null;
            reader.Skip();
            switch (field)
            {
                case 0: prompt = value; break;
                case 1: completion = value; break;
                case 2: total = value; break;
                case 3: input = value; break;
                case 4: output = value; break;
                case 5: cacheWrites = value; break;
                case 6: cacheReads = value; break;
            }
        }

        if (prompt is { } promptTokens)
        {
            return new UsageReport(promptTokens, completion ?? (total is { } t ? Math.Max(0, t - promptTokens) : 0));
        }

        return input is { } inputTokens ? new UsageReport(inputTokens + (cacheWrites ?? 0) + (cacheReads ?? 0), output ?? 0) : null;
    }

    public static UsageReport? FromElement(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (ExpertJson.Int64(usage, "prompt_tokens") is not { } promptTokens)
        {
            return FromNative(usage);
        }

        // Embeddings report prompt and total tokens only.
        var completionTokens = ExpertJson.Int64(usage, "completion_tokens")
            ?? (ExpertJson.Int64(usage, "total_tokens") is { } t ? Math.Max(0, t - promptTokens) : 0);
        return new UsageReport(promptTokens, completionTokens);
    }

    /// <summary>
    /// A Responses or Anthropic Messages <c>usage</c> (<c>input_tokens</c>, <c>output_tokens</c>), as a passed-through
    /// answer reports it. Anthropic counts prompt-cache reads and writes apart from <c>input_tokens</c>; they are input too.
    /// </summary>
    public static UsageReport? FromNative(JsonElement usage)
    {
        if (ExpertJson.Int64(usage, "input_tokens") is not { } input)
        {
            return null;
        }

        input += (ExpertJson.Int64(usage, "cache_creation_input_tokens") ?? 0) + (ExpertJson.Int64(usage, "cache_read_input_tokens") ?? 0);
        return new UsageReport(input, ExpertJson.Int64(usage, "output_tokens") ?? 0);
    }
}
