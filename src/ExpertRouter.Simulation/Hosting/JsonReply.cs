using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ExpertRouter.Simulation;

/// <summary>Writes a whole JSON answer, or (for a mid-stream-cut fault) declares its full length, sends half, and stops.</summary>
internal static class JsonReply
{
    public static async Task WriteAsync(HttpContext context, bool cutHalfway, Action<Utf8JsonWriter> write)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        if (cutHalfway)
        {
            await WriteCutAsync(context, write);
            return;
        }

        using (var json = new Utf8JsonWriter(response.BodyWriter))
        {
            write(json);
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    public static async Task WriteCutAsync(HttpContext context, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }

        ConnectionBreaker.PrepareCut(context.Response, buffer.WrittenCount);
        await context.Response.Body.WriteAsync(buffer.WrittenMemory[..(buffer.WrittenCount / 2)], context.RequestAborted);
    }
}
