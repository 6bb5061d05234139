using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ExpertRouter.Simulation;

/// <summary>
/// Streams a reply as OpenAI does: a role event, one event per piece, a finish event, an optional usage event with
/// empty <c>choices</c>, then <c>data: [DONE]</c>. The timing and an optional cut come from <see cref="StreamPlan"/>.
/// </summary>
internal static class ChatStreamWriter
{
    public static async Task WriteAsync(HttpContext context, ChatReply reply, StreamPlan plan, TimeProvider time)
    {
        var cancellation = context.RequestAborted;
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        if (plan.CutAfterEvents >= 0)
        {
            ConnectionBreaker.PrepareCut(response);
        }

        var body = response.BodyWriter;
        var json = new Utf8JsonWriter(body);
        try
        {
            var events = Events(reply, plan.IncludeUsage);
            for (var index = 0; index < events.Count; index++)
            {
                if (index == plan.CutAfterEvents)
                {
                    if (index == 0)
                    {
                        // Nothing sent yet: Kestrel would turn an empty short body into a 500, so drop the line instead.
                        ConnectionBreaker.Reset(context);
                    }

                    return;
                }

                var (choice, step) = events[index];
                // The first piece follows the time to first token; the delay is between pieces.
                if (choice >= 0 && step >= 2 && step <= reply.Answers[choice].PieceCount && plan.PerTokenDelayMs > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(plan.PerTokenDelayMs), time, cancellation);
                }

                body.Write("data: "u8);
                json.Reset(body);
                WriteEvent(json, reply, plan.IncludeUsage, choice, step);
                json.Flush();
                body.Write("\n\n"u8);
                await body.FlushAsync(cancellation);
            }

            if (plan.CutAfterEvents >= 0)
            {
                // A cut configured past the last event still withholds [DONE], so the stream never ends cleanly.
                return;
            }

            body.Write("data: [DONE]\n\n"u8);
            await body.FlushAsync(cancellation);
        }
        finally
        {
            await json.DisposeAsync();
        }
    }

    /// <summary>
    /// The events in order, as (choice, step): per choice a role event (step 0), one per piece, and a finish event;
    /// then the usage event (choice -1). Choices follow one another, each complete, as n &gt; 1 streams may.
    /// </summary>
    private static List<(int Choice, int Step)> Events(ChatReply reply, bool includeUsage)
    {
        var events = new List<(int, int)>();
        for (var choice = 0; choice < reply.Answers.Count; choice++)
        {
            for (var step = 0; step <= reply.Answers[choice].PieceCount + 1; step++)
            {
                events.Add((choice, step));
            }
        }

        if (includeUsage)
        {
            events.Add((-1, 0));
        }

        return events;
    }

    private static void WriteEvent(Utf8JsonWriter json, ChatReply reply, bool includeUsage, int choice, int step)
    {
        json.WriteStartObject();
        json.WriteString("id", reply.Id);
        json.WriteString("object", "chat.completion.chunk");
        json.WriteNumber("created", reply.Created);
        json.WriteString("model", reply.Model);
        json.WriteString("system_fingerprint", ChatReply.SystemFingerprint);
        json.WriteStartArray("choices");
        var isUsageEvent = choice < 0;
        if (!isUsageEvent)
        {
            var answer = reply.Answers[choice];
            json.WriteStartObject();
            json.WriteNumber("index", choice);
            json.WriteStartObject("delta");
            if (step == 0)
            {
                WriteRoleDelta(json, answer);
            }
            else if (step <= answer.PieceCount)
            {
                WritePieceDelta(json, answer, answer.Pieces[step - 1].Span);
            }

            json.WriteEndObject();
            json.WriteNull("logprobs");
            if (step == answer.PieceCount + 1)
            {
                json.WriteString("finish_reason", answer.FinishReason);
            }
            else
            {
                json.WriteNull("finish_reason");
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (isUsageEvent)
        {
            ChatCompletionJson.WriteUsage(json, reply);
        }
        else if (includeUsage)
        {
            json.WriteNull("usage");
        }

        json.WriteEndObject();
    }

    private static void WriteRoleDelta(Utf8JsonWriter json, SimulatedAnswer answer)
    {
        json.WriteString("role", "assistant");
        if (answer.ToolCall is not { } call)
        {
            json.WriteString("content", "");
            json.WriteNull("refusal");
            return;
        }

        json.WriteNull("content");
        json.WriteStartArray("tool_calls");
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        json.WriteString("id", call.Id);
        json.WriteString("type", "function");
        json.WriteStartObject("function");
        json.WriteString("name", call.Name);
        json.WriteString("arguments", "");
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndArray();
    }

    private static void WritePieceDelta(Utf8JsonWriter json, SimulatedAnswer answer, ReadOnlySpan<char> piece)
    {
        if (answer.ToolCall is null)
        {
            json.WriteString("content", piece);
            return;
        }

        json.WriteStartArray("tool_calls");
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        json.WriteStartObject("function");
        json.WriteString("arguments", piece);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndArray();
    }
}

/// <summary>How to pace a stream, and after how many events to cut it (-1: never).</summary>
internal readonly record struct StreamPlan(int PerTokenDelayMs, bool IncludeUsage, int CutAfterEvents);
