using System.Text;
using System.Text.Json.Nodes;

namespace ExpertRouter.Gateway.OpenAI.Usage;

/// <summary>
/// Streamed chat requests report usage only when asked (<c>stream_options.include_usage</c>); the gateway asks for
/// every stream so it can settle the real cost, and hides the extra chunk from clients that did not ask.
/// </summary>
internal static class StreamUsageRequest
{
    private static readonly byte[] Injected = Encoding.UTF8.GetBytes("\"stream_options\":{\"include_usage\":true},");

    public static bool Needed(OpenAIRequest request) =>
        request is { Endpoint: OpenAIEndpoint.ChatCompletions, Stream: true, StreamIncludeUsage: false };

    /// <summary>The same request with usage asked for; the body changes only by the inserted option.</summary>
    public static OpenAIRequest WithIncludeUsage(OpenAIRequest request)
    {
        if (!request.HasStreamOptions)
        {
            // Insert right after the opening brace: no other byte moves except by a fixed offset.
            var body = request.Body.Span;
            var open = body.IndexOf((byte)'{');
            var patched = new byte[body.Length + Injected.Length];
            body[..(open + 1)].CopyTo(patched);
            Injected.CopyTo(patched.AsSpan(open + 1));
            body[(open + 1)..].CopyTo(patched.AsSpan(open + 1 + Injected.Length));
            var (start, length) = request.ModelToken.GetOffsetAndLength(body.Length);
            return request with
            {
                Body = patched,
                ModelToken = new Range(start + Injected.Length, start + Injected.Length + length),
                StreamIncludeUsage = true,
            };
        }

        // The client sent stream_options without include_usage: rewrite through the DOM and parse again.
        var node = JsonNode.Parse(request.Body.Span)!.AsObject();
        node["stream_options"]!.AsObject()["include_usage"] = true;
        var (rewritten, _) = OpenAIRequestParser.Parse(Encoding.UTF8.GetBytes(node.ToJsonString()), request.Endpoint);
        return rewritten ?? request;
    }
}
