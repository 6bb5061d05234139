using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ExpertRouter.Simulation;

/// <summary>
/// GET {prefix}/simulator/requests: what the simulator received, for load tests that count at the expert's end:
/// <c>{"chat":{"model":n},"chat_by_minute":{"model":{"&lt;unix minute&gt;":n}},"embeddings":{"model":n}}</c>.
/// </summary>
internal sealed class RequestCountsHandler(SimulatorRequestCounter counter)
{
    public async Task HandleAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        await using (var json = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            json.WriteStartObject();
            Totals(json, "chat", counter.ChatTotals());
            json.WriteStartObject("chat_by_minute");
            foreach (var (model, minutes) in counter.ChatRequestsByMinute().OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                json.WriteStartObject(model);
                foreach (var (minute, count) in minutes.OrderBy(m => m.Key))
                {
                    json.WriteNumber(minute.ToString(CultureInfo.InvariantCulture), count);
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
            Totals(json, "embeddings", counter.EmbeddingTotals());
            json.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    private static void Totals(Utf8JsonWriter json, string name, IReadOnlyDictionary<string, long> totals)
    {
        json.WriteStartObject(name);
        foreach (var (model, count) in totals.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            json.WriteNumber(model, count);
        }

        json.WriteEndObject();
    }
}
