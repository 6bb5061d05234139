using System.Buffers;
using System.Text.Json;
using ExpertRouter.Gateway.OpenAI;

namespace ExpertRouter.Gateway.Caching.Replay;

/// <summary>
/// Answers from the cache: the stored completion as JSON, or, for a streaming client, replayed as the chunk events
/// an expert would have sent (role, content, finish reason, usage when asked for, then <c>[DONE]</c>).
/// </summary>
public static class CachedResponseWriter
{
    /// <summary>Characters of content per replayed chunk: small enough to look like a stream, few enough to be cheap.</summary>
    private const int ContentChunkChars = 64;

    public static Task WriteJsonAsync(HttpContext context, CachedResponse entry)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.ContentLength = entry.Completion.Length;
        return response.Body.WriteAsync(entry.Completion, context.RequestAborted).AsTask();
    }

    public static async Task WriteEventStreamAsync(HttpContext context, CachedResponse entry, bool includeUsage)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        await response.Body.WriteAsync(ToEventStream(entry.Completion, includeUsage), context.RequestAborted);
        await response.Body.FlushAsync(context.RequestAborted);
    }

    public static ReadOnlyMemory<byte> ToEventStream(byte[] completion, bool includeUsage)
    {
        using var document = JsonDocument.Parse(completion);
        var root = document.RootElement;
        var header = new ChunkHeader(
            ExpertJson.String(root, "id") ?? "",
            ExpertJson.Int64(root, "created") ?? 0,
            ExpertJson.String(root, "model") ?? "");
        var output = new ArrayBufferWriter<byte>(completion.Length * 2 + 256);
        foreach (var choice in root.GetProperty("choices").EnumerateArray())
        {
            WriteChoice(output, header, choice);
        }

        if (includeUsage && root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            WriteEvent(output, header, json =>
            {
                json.WriteStartArray("choices");
                json.WriteEndArray();
                json.WritePropertyName("usage");
                usage.WriteTo(json);
            });
        }

        output.Write("data: [DONE]\n\n"u8);
        return output.WrittenMemory;
    }

    private static void WriteChoice(ArrayBufferWriter<byte> output, ChunkHeader header, JsonElement choice)
    {
        var index = choice.TryGetProperty("index", out var i) && i.TryGetInt32(out var n) ? n : 0;
        var message = choice.GetProperty("message");
        var role = message.TryGetProperty("role", out var r) ? r.GetString() ?? "assistant" : "assistant";
        WriteDelta(output, header, index, json => { json.WriteString("role", role); json.WriteString("content", ""); }, null);

        var content = message.TryGetProperty("content", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString()! : "";
        for (var start = 0; start < content.Length;)
        {
            var length = Math.Min(ContentChunkChars, content.Length - start);
            // Never split a surrogate pair across two events.
            if (start + length < content.Length && char.IsHighSurrogate(content[start + length - 1]))
            {
                length--;
            }

            var piece = content.Substring(start, length);
            WriteDelta(output, header, index, json => json.WriteString("content", piece), null);
            start += length;
        }

        if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
        {
            WriteDelta(output, header, index, json => WriteToolCalls(json, calls), null);
        }

        var finish = choice.TryGetProperty("finish_reason", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : "stop";
        WriteDelta(output, header, index, _ => { }, finish);
    }

    /// <summary>Tool calls go out whole in one delta, each with the <c>index</c> streaming clients merge by.</summary>
    private static void WriteToolCalls(Utf8JsonWriter json, JsonElement calls)
    {
        json.WriteStartArray("tool_calls");
        var position = 0;
        foreach (var call in calls.EnumerateArray())
        {
            json.WriteStartObject();
            json.WriteNumber("index", position++);
            foreach (var property in call.EnumerateObject())
            {
                property.WriteTo(json);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteDelta(ArrayBufferWriter<byte> output, ChunkHeader header, int index, Action<Utf8JsonWriter> delta, string? finishReason) =>
        WriteEvent(output, header, json =>
        {
            json.WriteStartArray("choices");
            json.WriteStartObject();
            json.WriteNumber("index", index);
            json.WriteStartObject("delta");
            delta(json);
            json.WriteEndObject();
            if (finishReason is null)
            {
                json.WriteNull("finish_reason");
            }
            else
            {
                json.WriteString("finish_reason", finishReason);
            }

            json.WriteEndObject();
            json.WriteEndArray();
        });

    private static void WriteEvent(ArrayBufferWriter<byte> output, ChunkHeader header, Action<Utf8JsonWriter> body)
    {
        output.Write("data: "u8);
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteString("id", header.Id);
            json.WriteString("object", "chat.completion.chunk");
            json.WriteNumber("created", header.Created);
            json.WriteString("model", header.Model);
            body(json);
            json.WriteEndObject();
        }

        output.Write("\n\n"u8);
    }

    private sealed record ChunkHeader(string Id, long Created, string Model);
}
