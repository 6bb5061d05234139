using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ExpertRouter.Simulation;

/// <summary>GET /v1/models: the configured models and every model the replay dataset has responses for.</summary>
internal sealed class ModelsHandler(SimulatorRuntime runtime)
{
    public const string Owner = "expertrouter-simulator";

    private readonly string[] models = runtime.Profiles.ConfiguredModels
        .Concat(runtime.Replay.Models)
        .Distinct(StringComparer.Ordinal)
        .Order(StringComparer.Ordinal)
        .ToArray();

    public async Task HandleAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        var created = runtime.UnixSeconds();
        await using (var json = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            foreach (var model in models)
            {
                json.WriteStartObject();
                json.WriteString("id", model);
                json.WriteString("object", "model");
                json.WriteNumber("created", created);
                json.WriteString("owned_by", Owner);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
