using System.Net;
using System.Text;
using Yarp.ReverseProxy.Forwarder;

namespace ExpertRouter.Gateway.Tests.Invocation;

/// <summary>One scripted reply of an expert destination: a status and body, or a forwarder error before any answer.</summary>
internal sealed record ScriptedReply(int Status = 200, string Body = "", ForwarderError Error = ForwarderError.None, string ContentType = "application/json")
{
    /// <summary>Bytes of the body written before the forwarder reports <see cref="BreakAfterBody"/> (a stream cut mid-way).</summary>
    public ForwarderError BreakAfterBody { get; init; }

    public IReadOnlyList<string> Chunks { get; init; } = [];

    /// <summary>Response headers the expert sends (a provider's rate-limit headers, Retry-After).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// Stands in for YARP's forwarder the way YARP behaves: the transformer builds the outgoing request, the reply's status
/// and headers go through the transformer, which may hold the body back, and errors are reported on the context.
/// Replies are scripted per destination address, in order; every outgoing request is kept.
/// </summary>
internal sealed class ScriptedForwarder : IHttpForwarder
{
    private readonly Dictionary<string, Queue<ScriptedReply>> _replies = new(StringComparer.Ordinal);

    public List<(string Address, HttpRequestMessage Request, string Body)> Sent { get; } = [];

    public ScriptedForwarder Reply(string address, params ScriptedReply[] replies)
    {
        if (!_replies.TryGetValue(address, out var queue))
        {
            _replies[address] = queue = new Queue<ScriptedReply>();
        }

        foreach (var reply in replies)
        {
            queue.Enqueue(reply);
        }

        return this;
    }

    public ValueTask<ForwarderError> SendAsync(
        HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient, ForwarderRequestConfig requestConfig, HttpTransformer transformer) =>
        SendAsync(context, destinationPrefix, httpClient, requestConfig, transformer, CancellationToken.None);

    public async ValueTask<ForwarderError> SendAsync(
        HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient, ForwarderRequestConfig requestConfig, HttpTransformer transformer,
        CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, destinationPrefix);
        await transformer.TransformRequestAsync(context, request, destinationPrefix, cancellationToken);
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, cancellationToken);
        Sent.Add((destinationPrefix, request, Encoding.UTF8.GetString(body.ToArray())));

        var reply = _replies.TryGetValue(destinationPrefix, out var queue) && queue.Count > 0 ? queue.Dequeue() : new ScriptedReply(Status: 599);
        if (reply.Error != ForwarderError.None)
        {
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            context.Features.Set<IForwarderErrorFeature>(new ErrorFeature(reply.Error));
            await transformer.TransformResponseAsync(context, null, cancellationToken);
            return reply.Error;
        }

        using var response = new HttpResponseMessage((HttpStatusCode)reply.Status) { Content = new StringContent(reply.Body, Encoding.UTF8, reply.ContentType) };
        foreach (var (name, value) in reply.Headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        context.Response.StatusCode = reply.Status;
        if (!await transformer.TransformResponseAsync(context, response, cancellationToken))
        {
            return ForwarderError.None;
        }

        foreach (var chunk in reply.Chunks.Count > 0 ? reply.Chunks : [reply.Body])
        {
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(chunk), cancellationToken);
        }

        if (reply.BreakAfterBody != ForwarderError.None)
        {
            context.Features.Set<IForwarderErrorFeature>(new ErrorFeature(reply.BreakAfterBody));
            return reply.BreakAfterBody;
        }

        return ForwarderError.None;
    }

    private sealed record ErrorFeature(ForwarderError Error) : IForwarderErrorFeature
    {
        public Exception? Exception => null;
    }
}
