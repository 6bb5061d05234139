using System.Text.Json;
using ExpertRouter.Core.OpenAI;
using ExpertRouter.Gateway.OpenAI;

namespace ExpertRouter.Gateway.Ensembles;

/// <summary>
/// An ensemble's answer to a <c>stream: true</c> client as OpenAI chunk events. The response starts with the first
/// content (<see cref="OnStart"/> sets the headers then, from the calls made so far), so a step that fails before its
/// first token can still fall back. It ends with the finish chunk, a usage chunk summing every call when the client
/// asked for one, and <c>[DONE]</c>; or, when the live call broke midway, with an explicit error event.
/// </summary>
public sealed class EnsembleEventStream(HttpContext http, string id, string model, long created, bool includeUsage)
{
    /// <summary>Characters per chunk when a finished answer is replayed: small enough to feel like a stream, large enough to stay cheap.</summary>
    private const int ChunkCharacters = 48;

    /// <summary>Called once, just before the first byte; the ensemble step sets its headers here.</summary>
    public Action? OnStart { get; set; }

    public bool Started { get; private set; }

    public async ValueTask WriteContentAsync(string piece, CancellationToken cancellationToken)
    {
        if (!Started)
        {
            Started = true;
            OnStart?.Invoke();
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            await EventAsync(Chunk(w => w.WriteString("role", "assistant"), null), cancellationToken).ConfigureAwait(false);
        }

        await EventAsync(Chunk(w => w.WriteString("content", piece), null), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A finished answer (vote and judge pick among finished answers) replayed as chunks.</summary>
    public async Task ReplayAsync(string text, CancellationToken cancellationToken)
    {
        for (var start = 0; start < text.Length || !Started; start += ChunkCharacters)
        {
            await WriteContentAsync(text.Substring(start, Math.Min(ChunkCharacters, Math.Max(0, text.Length - start))), cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task FinishAsync(IReadOnlyList<EnsembleCall> calls, CancellationToken cancellationToken)
    {
        await EventAsync(Chunk(_ => { }, "stop"), cancellationToken).ConfigureAwait(false);
        if (includeUsage)
        {
            await EventAsync(EnsembleJson.Write(w =>
            {
                EnsembleJson.Header(w, id, "chat.completion.chunk", model, created);
                w.WriteStartArray("choices");
                w.WriteEndArray();
                EnsembleJson.Usage(w, calls);
            }), cancellationToken).ConfigureAwait(false);
        }

        await http.Response.Body.WriteAsync("data: [DONE]\n\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends a stream whose live call broke after its first token: SDKs raise this instead of keeping half an answer.</summary>
    public Task FailAsync(ApiError error) => StreamErrorEvent.WriteAsync(http, error);

    private async Task EventAsync(byte[] json, CancellationToken cancellationToken)
    {
        var body = http.Response.Body;
        await body.WriteAsync("data: "u8.ToArray(), cancellationToken).ConfigureAwait(false);
        await body.WriteAsync(json, cancellationToken).ConfigureAwait(false);
        await body.WriteAsync("\n\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        await body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private byte[] Chunk(Action<Utf8JsonWriter> delta, string? finishReason) => EnsembleJson.Write(w =>
    {
        EnsembleJson.Header(w, id, "chat.completion.chunk", model, created);
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
}
