using System.Text;
using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.OpenAI;

/// <summary>
/// The end of a stream whose expert broke after its first byte: one OpenAI-shaped error event, so SDKs raise an
/// error instead of treating a truncated answer as complete. Used by forwarding and by ensembles' live streams.
/// </summary>
public static class StreamErrorEvent
{
    public static ApiError Interrupted(string expert, string cause) => new(
        StatusCodes.Status502BadGateway,
        $"The stream from expert '{expert}' broke before it finished ({cause}); the answer above is incomplete.",
        "server_error",
        null,
        "upstream_stream_interrupted");

    public static Task WriteAsync(HttpContext context, ApiError error) =>
        WriteAsync(context, Encoding.UTF8.GetBytes("\n\ndata: " + Encoding.UTF8.GetString(error.ToEnvelopeJson()) + "\n\n"));

    /// <summary>Ends a stream with an error event already in the stream's own shape (a passed-through Responses or Messages stream).</summary>
    public static async Task WriteAsync(HttpContext context, byte[] payload)
    {
        try
        {
            await context.Response.Body.WriteAsync(payload, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The client left as well; there is no one left to tell.
        }
    }
}
