using System.Text.Json;

namespace ExpertRouter.Gateway.Ensembles;

/// <summary>
/// Writes an ensemble's final answer as one OpenAI chat completion (a streaming client gets
/// <see cref="EnsembleEventStream"/> instead). Usage is the sum over every call the ensemble made, so the client
/// sees what it paid for.
/// </summary>
public static class EnsembleResponseWriter
{
    public static Task WriteJsonAsync(HttpContext context, string id, string model, string text, IReadOnlyList<EnsembleCall> calls, long created)
    {
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(EnsembleJson.Write(w =>
        {
            EnsembleJson.Header(w, id, "chat.completion", model, created);
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
            EnsembleJson.Usage(w, calls);
        }), context.RequestAborted).AsTask();
    }
}

/// <summary>The JSON pieces the completion and the chunk events share.</summary>
internal static class EnsembleJson
{
    public static void Header(Utf8JsonWriter w, string id, string type, string model, long created)
    {
        w.WriteString("id", id);
        w.WriteString("object", type);
        w.WriteNumber("created", created);
        w.WriteString("model", model);
    }

    /// <summary>Every call's tokens, cache hits included (as a direct cache hit replays its stored usage).</summary>
    public static void Usage(Utf8JsonWriter w, IReadOnlyList<EnsembleCall> calls)
    {
        var (prompt, completion) = (calls.Sum(c => c.Result.PromptTokens), calls.Sum(c => c.Result.CompletionTokens));
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", prompt);
        w.WriteNumber("completion_tokens", completion);
        w.WriteNumber("total_tokens", prompt + completion);
        w.WriteEndObject();
    }

    public static byte[] Write(Action<Utf8JsonWriter> write)
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
