using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.OpenAI;
using Microsoft.AspNetCore.Http;

namespace ExpertRouter.Simulation;

/// <summary>POST /v1/embeddings: a string or an array of strings in, hashed unit vectors and usage out.</summary>
internal sealed class EmbeddingHandler(SimulatorRuntime runtime)
{
    private const int MaxDimensions = 65536;

    public async Task HandleAsync(HttpContext context)
    {
        try
        {
            await AnswerAsync(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away during a delay fault.
        }
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var (request, error) = await RequestBody.ReadAsync(context.Request, SimulatorJsonContext.Default.EmbeddingRequest);
        var inputs = request is null ? null : Inputs(request.Input);
        error ??= Validate(request!, inputs);
        if (error is not null)
        {
            await ErrorResponse.WriteAsync(context, error);
            return;
        }

        var model = request!.Model!;
        runtime.Counter.CountEmbedding(model);
        if (!runtime.Faults.TrySelect(model, context.Request, out var fault, out error))
        {
            await ErrorResponse.WriteAsync(context, error!);
            return;
        }

        if (await FaultResponder.ApplyBeforeAnswerAsync(context, fault, runtime.Time, ErrorShape.OpenAI))
        {
            return;
        }

        context.Response.ContentType = "application/json";
        var dimensions = request.Dimensions ?? runtime.Options.EmbeddingDimensions;
        await using (var json = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            Write(json, model, inputs!, dimensions, request.EncodingFormat == "base64");
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    private static List<string>? Inputs(JsonElement input) => input.ValueKind switch
    {
        JsonValueKind.String => [input.GetString()!],
        JsonValueKind.Array when input.EnumerateArray().All(item => item.ValueKind == JsonValueKind.String) =>
            input.EnumerateArray().Select(item => item.GetString()!).ToList(),
        _ => null,
    };

    private static ApiError? Validate(EmbeddingRequest request, List<string>? inputs)
    {
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            return ApiError.InvalidRequest("you must provide a model parameter", "model", "missing_required_parameter");
        }

        if (inputs is not { Count: > 0 })
        {
            return ApiError.InvalidRequest("'input' must be a string or a non-empty array of strings.", "input");
        }

        if (request.Dimensions is < 1 or > MaxDimensions)
        {
            return ApiError.InvalidRequest($"dimensions must be between 1 and {MaxDimensions}.", "dimensions");
        }

        return request.EncodingFormat is null or "float" or "base64"
            ? null
            : ApiError.InvalidRequest("encoding_format must be float or base64.", "encoding_format");
    }

    private void Write(Utf8JsonWriter json, string model, List<string> inputs, int dimensions, bool base64)
    {
        var vector = ArrayPool<float>.Shared.Rent(dimensions);
        try
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            var tokens = 0;
            for (var i = 0; i < inputs.Count; i++)
            {
                var values = vector.AsSpan(0, dimensions);
                EmbeddingVector.Fill(values, model, inputs[i], runtime.Options.Seed);
                tokens += TokenEstimate.FromText(inputs[i]);
                json.WriteStartObject();
                json.WriteString("object", "embedding");
                json.WriteNumber("index", i);
                json.WritePropertyName("embedding");
                WriteVector(json, values, base64);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteString("model", model);
            json.WriteStartObject("usage");
            json.WriteNumber("prompt_tokens", tokens);
            json.WriteNumber("total_tokens", tokens);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        finally
        {
            ArrayPool<float>.Shared.Return(vector);
        }
    }

    private static void WriteVector(Utf8JsonWriter json, ReadOnlySpan<float> values, bool base64)
    {
        if (base64)
        {
            // OpenAI's base64 encoding is the little-endian float32 array, which is this machine's layout.
            json.WriteBase64StringValue(MemoryMarshal.AsBytes(values));
            return;
        }

        json.WriteStartArray();
        foreach (var value in values)
        {
            json.WriteNumberValue(value);
        }

        json.WriteEndArray();
    }
}
