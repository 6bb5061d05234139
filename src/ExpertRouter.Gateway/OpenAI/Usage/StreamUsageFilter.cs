using System.Buffers;
using System.Text.Json;

namespace ExpertRouter.Gateway.OpenAI.Usage;

/// <summary>
/// Sits under a streamed (server-sent events) response. Reads the usage chunk the expert sends last, and when the
/// gateway asked for it on the client's behalf (the client did not set <c>stream_options.include_usage</c>),
/// removes it and the <c>"usage":null</c> fields it brings, so the client sees the stream it asked for.
/// Complete events are relayed as they arrive; only a partial event waits for its end.
/// </summary>
internal sealed class StreamUsageFilter(Stream inner, bool hideUsage) : WriteOnlyStream(inner), IUsageSource
{
    private const int MaxPendingBytes = 1024 * 1024;
    private readonly ArrayBufferWriter<byte> _pending = new();

    public UsageReport? Usage { get; private set; }

    /// <summary>Relays whatever is left (a last event without its blank line, or a body that was not SSE).</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        if (_pending.WrittenCount > 0)
        {
            var rest = _pending.WrittenMemory.ToArray();
            _pending.Clear();
            await Inner.WriteAsync(rest, cancellationToken);
        }
    }

    protected override async ValueTask WriteCoreAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        _pending.Write(buffer.Span);
        var output = new ArrayBufferWriter<byte>(buffer.Length + 16);
        var consumed = 0;
        var data = _pending.WrittenSpan;
        while (true)
        {
            var end = data[consumed..].IndexOf("\n\n"u8);
            if (end < 0)
            {
                break;
            }

            Relay(data.Slice(consumed, end + 2), output);
            consumed += end + 2;
        }

        if (consumed == 0 && data.Length > MaxPendingBytes)
        {
            // Not server-sent events after all: stop looking and pass it on.
            output.Write(data);
            consumed = data.Length;
        }

        var leftover = data[consumed..].ToArray();
        _pending.Clear();
        _pending.Write(leftover);
        if (output.WrittenCount > 0)
        {
            await Inner.WriteAsync(output.WrittenMemory, cancellationToken);
        }
    }

    private void Relay(ReadOnlySpan<byte> sseEvent, ArrayBufferWriter<byte> output)
    {
        if (sseEvent.IndexOf("\"usage\""u8) < 0)
        {
            output.Write(sseEvent);
            return;
        }

        if (!sseEvent.StartsWith("data: "u8))
        {
            // Named events are a passed-through Responses or Messages stream: relayed untouched, usage read on the way.
            ReadNative(sseEvent);
            output.Write(sseEvent);
            return;
        }

        var payload = sseEvent["data: "u8.Length..].TrimEnd("\r\n"u8);
        if (payload.IndexOf("\"usage\":{"u8) >= 0 || payload.IndexOf("\"usage\": {"u8) >= 0)
        {
            var (usage, choicesEmpty) = Read(payload);
            Usage = usage ?? Usage;
            if (hideUsage && choicesEmpty)
            {
                return;
            }
        }

        if (hideUsage)
        {
            RemoveNullUsage(sseEvent, output);
            return;
        }

        output.Write(sseEvent);
    }

    private static (UsageReport? Usage, bool ChoicesEmpty) Read(ReadOnlySpan<byte> payload)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            using var chunk = JsonDocument.ParseValue(ref reader);
            var root = chunk.RootElement;
            var usage = root.TryGetProperty("usage", out var u) ? UsageReport.FromElement(u) : null;
            var choicesEmpty = root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() == 0;
            return (usage, choicesEmpty);
        }
        catch (JsonException)
        {
            return (null, false);
        }
    }

    /// <summary>
    /// Usage from a named event: <c>response.completed</c> (under <c>response</c>), Anthropic's <c>message_start</c>
    /// (under <c>message</c>) and <c>message_delta</c>, whose <c>usage</c> may carry only the output so far.
    /// </summary>
    private void ReadNative(ReadOnlySpan<byte> sseEvent)
    {
        var at = sseEvent.IndexOf("data:"u8);
        if (at < 0)
        {
            return;
        }

        var payload = sseEvent[(at + "data:"u8.Length)..];
        var end = payload.IndexOf((byte)'\n');
        payload = (end < 0 ? payload : payload[..end]).Trim(" \r"u8);
        try
        {
            var reader = new Utf8JsonReader(payload);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            var usage = root.ValueKind != JsonValueKind.Object ? default
                : root.TryGetProperty("response", out var response) && response.ValueKind == JsonValueKind.Object && response.TryGetProperty("usage", out var r) ? r
                : root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object && message.TryGetProperty("usage", out var m) ? m
                : root.TryGetProperty("usage", out var u) ? u
                : default;
            if (usage.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            Usage = UsageReport.FromNative(usage)
                ?? (ExpertJson.Int64(usage, "output_tokens") is { } tokens
                    ? new UsageReport(Usage?.PromptTokens ?? 0, tokens)
                    : Usage);
        }
        catch (JsonException)
        {
            // Not JSON after all: the stream is the expert's to get right; usage falls back to the estimate.
        }
    }

    private static void RemoveNullUsage(ReadOnlySpan<byte> sseEvent, ArrayBufferWriter<byte> output)
    {
        var field = ",\"usage\":null"u8;
        while (sseEvent.IndexOf(field) is var at and >= 0)
        {
            output.Write(sseEvent[..at]);
            sseEvent = sseEvent[(at + field.Length)..];
        }

        output.Write(sseEvent);
    }
}
