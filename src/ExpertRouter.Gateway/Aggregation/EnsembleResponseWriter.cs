using System.Text.Json;

namespace ExpertRouter.Gateway.Aggregation;

/// <summary>
/// Writes an ensemble's final answer as an OpenAI chat completion, or, when the client asked to stream, as SSE
/// chunks of the final text. Usage is the sum over every call the ensemble made, so the client sees what it paid for.
/// </summary>
public static class EnsembleResponseWriter
{
    /// <summary>Characters per streamed chunk: small enough to feel like a stream, large enough to stay cheap.</summary>
    private const int ChunkCharacters = 48;

    public static async Task WriteAsync(HttpContext context, string id, string model, string text, IReadOnlyList<EnsembleCall> calls, bool stream, bool includeUsage, long created)
    {
        var (prompt, completion) = (calls.Sum(c => c.Result.PromptTokens), calls.Sum(c => c.Result.CompletionTokens));
        var response = context.Response;
        var token = context.RequestAborted;
        if (!stream)
        {
            response.ContentType = "application/json";
            await response.Body.WriteAsync(Json(w =>
            {
                Header(w, id, "chat.completion", model, created);
                w.WriteStartArray("choices");
                w.WriteStartObject();
                w.WriteNumber("index", 0);
                w.WriteStartObject("message");
                w.WriteString("role", "assistant");
                w.WriteString("content", text);
                w.WriteEndObject();
                w.WriteString("finish_reason", "stop");
                w.WriteEndObject();
                w.WriteEndArray();
                Usage(w, prompt, completion);
            }), token);
            return;
        }

        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        await Event(response, Chunk(id, model, created, w => w.WriteString("role", "assistant"), null), token);
        for (var start = 0; start < text.Length; start += ChunkCharacters)
        {
            var piece = text.Substring(start, Math.Min(ChunkCharacters, text.Length - start));
            await Event(response, Chunk(id, model, created, w => w.WriteString("content", piece), null), token);
        }

        await Event(response, Chunk(id, model, created, _ => { }, "stop"), token);
        if (includeUsage)
        {
            await Event(response, Json(w =>
            {
                Header(w, id, "chat.completion.chunk", model, created);
                w.WriteStartArray("choices");
                w.WriteEndArray();
                Usage(w, prompt, completion);
            }), token);
        }

        await response.Body.WriteAsync("data: [DONE]\n\n"u8.ToArray(), token);
    }

    private static async Task Event(HttpResponse response, byte[] json, CancellationToken token)
    {
        await response.Body.WriteAsync("data: "u8.ToArray(), token);
        await response.Body.WriteAsync(json, token);
        await response.Body.WriteAsync("\n\n"u8.ToArray(), token);
        await response.Body.FlushAsync(token);
    }

    private static byte[] Chunk(string id, string model, long created, Action<Utf8JsonWriter> delta, string? finishReason) => Json(w =>
    {
        Header(w, id, "chat.completion.chunk", model, created);
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WriteStartObject("delta");
        delta(w);
        w.WriteEndObject();
        if (finishReason is null)
        {
            w.WriteNull("finish_reason");
        }
        else
        {
            w.WriteString("finish_reason", finishReason);
        }

        w.WriteEndObject();
        w.WriteEndArray();
    });

    private static void Header(Utf8JsonWriter w, string id, string type, string model, long created)
    {
        w.WriteString("id", id);
        w.WriteString("object", type);
        w.WriteNumber("created", created);
        w.WriteString("model", model);
    }

    private static void Usage(Utf8JsonWriter w, int prompt, int completion)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", prompt);
        w.WriteNumber("completion_tokens", completion);
        w.WriteNumber("total_tokens", prompt + completion);
        w.WriteEndObject();
    }

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
