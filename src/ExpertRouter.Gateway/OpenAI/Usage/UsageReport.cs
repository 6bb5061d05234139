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

        var counts = default(Counts);
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
            counts = field switch
            {
                0 => counts with { Prompt = value },
                1 => counts with { Completion = value },
                2 => counts with { Total = value },
                3 => counts with { Input = value },
                4 => counts with { Output = value },
                5 => counts with { CacheWrites = value },
                6 => counts with { CacheReads = value },
                _ => counts,
            };
        }

        return counts.Report();
    }

    public static UsageReport? FromElement(JsonElement usage) => usage.ValueKind == JsonValueKind.Object ? Counts.Of(usage).Report() : null;

    /// <summary>A Responses or Anthropic Messages <c>usage</c> (<c>input_tokens</c>, <c>output_tokens</c>), as a passed-through answer reports it.</summary>
    public static UsageReport? FromNative(JsonElement usage) => Counts.Of(usage).Native();

    /// <summary>What a <c>usage</c> object may count, read from a parsed element or by a reader; absent or not a whole number: null.</summary>
    private readonly record struct Counts(
        long? Prompt, long? Completion, long? Total, long? Input, long? Output, long? CacheWrites, long? CacheReads)
    {
        public static Counts Of(JsonElement usage) => new(
            ExpertJson.Int64(usage, "prompt_tokens"),
            ExpertJson.Int64(usage, "completion_tokens"),
            ExpertJson.Int64(usage, "total_tokens"),
            ExpertJson.Int64(usage, "input_tokens"),
            ExpertJson.Int64(usage, "output_tokens"),
            ExpertJson.Int64(usage, "cache_creation_input_tokens"),
            ExpertJson.Int64(usage, "cache_read_input_tokens"));

        /// <summary>Chat's counts, else the native ones. Embeddings report prompt and total tokens only.</summary>
        public UsageReport? Report() =>
            Prompt is { } prompt ? new UsageReport(prompt, Completion ?? (Total is { } total ? Math.Max(0, total - prompt) : 0)) : Native();

        /// <summary>Anthropic counts prompt-cache reads and writes apart from <c>input_tokens</c>; they are input too.</summary>
        public UsageReport? Native() =>
            Input is { } input ? new UsageReport(input + (CacheWrites ?? 0) + (CacheReads ?? 0), Output ?? 0) : null;
    }
}
