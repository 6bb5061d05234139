using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ExpertRouter.Simulation;

/// <summary>One server-sent event with an <c>event:</c> name, as the Responses and Messages APIs send them.</summary>
/// <param name="IsPiece">Carries one answer piece: every piece after the first waits the per-token delay.</param>
internal sealed record NamedEvent(string Name, bool IsPiece, Action<Utf8JsonWriter> WriteData);

/// <summary>
/// Sends named events with the pacing and the cut of a <see cref="StreamPlan"/>, like <see cref="ChatStreamWriter"/>
/// does for chat chunks; these APIs end with their last event, not with <c>[DONE]</c>.
/// </summary>
internal static class NamedEventStream
{
    public static async Task WriteAsync(HttpContext context, IReadOnlyList<NamedEvent> events, StreamPlan plan, TimeProvider time)
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
        await using var json = new Utf8JsonWriter(body);
        var piecesSent = 0;
        for (var index = 0; index < events.Count; index++)
        {
            if (index == plan.CutAfterEvents)
            {
                if (index == 0)
                {
                    ConnectionBreaker.Reset(context);
                }

                return;
            }

            var item = events[index];
            if (item.IsPiece && piecesSent++ > 0 && plan.PerTokenDelayMs > 0)
            {
                // The first piece follows the time to first token; the delay is between pieces, as for chat.
                await Task.Delay(TimeSpan.FromMilliseconds(plan.PerTokenDelayMs), time, cancellation);
            }

            body.Write("event: "u8);
            body.Write(Encoding.UTF8.GetBytes(item.Name));
            body.Write("\ndata: "u8);
            json.Reset(body);
            item.WriteData(json);
            json.Flush();
            body.Write("\n\n"u8);
            await body.FlushAsync(cancellation);
        }
    }
}
