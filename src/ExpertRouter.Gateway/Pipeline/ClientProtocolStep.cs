using ExpertRouter.Core.OpenAI;
using ExpertRouter.Gateway.Protocols.Messages;
using ExpertRouter.Gateway.Protocols.Responses;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>
/// Around everything a Responses API or Anthropic Messages request goes through (outside the tenant step, so even a
/// refused key answers in the protocol's own shape): the answer the chat pipeline writes is turned into the
/// protocol's on the way out — an event stream as it is written, a whole answer or an error once the pipeline is
/// done. Anthropic clients may send their key as <c>x-api-key</c>.
/// </summary>
internal sealed class ClientProtocolStep(RequestDelegate next, ResponsesProtocol responses, AnthropicMessagesProtocol messages)
{
    public const string ResponsesPath = "/v1/responses";
    public const string MessagesPath = "/v1/messages";

    // Not async itself: a request that skips this step continues with the next step's own task, so no state machine
    // (and no closure over the slow path's locals) is allocated for it.
    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        ClientProtocol? protocol = !HttpMethods.IsPost(context.Request.Method) ? null
            : path == ResponsesPath ? ClientProtocol.Responses
            : path == MessagesPath ? ClientProtocol.AnthropicMessages
            : null;
        return protocol is { } kind ? TranslateAsync(context, kind) : next(context);
    }

    private async Task TranslateAsync(HttpContext context, ClientProtocol kind)
    {
        var exchange = new ClientProtocolExchange(kind, responses, messages);
        if (kind == ClientProtocol.AnthropicMessages && FromAnthropicHeaders(context) is { } refusal)
        {
            await WriteErrorAsync(context, exchange, refusal);
            return;
        }

        context.Features.Set(exchange);
        var original = context.Response.Body;
        await using var translating = new ProtocolResponseStream(context, exchange, original);
        context.Response.Body = translating;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }

        await translating.FinishAsync();
    }

    /// <summary>Anthropic's key header and version header, checked the way Anthropic's API checks them.</summary>
    private static ApiError? FromAnthropicHeaders(HttpContext context)
    {
        var headers = context.Request.Headers;
        if (headers.Authorization.Count == 0 && AnthropicHeaders.ApiKey(headers) is { } key)
        {
            headers.Authorization = "Bearer " + key;
        }

        return headers.Authorization.Count == 0 ? null : AnthropicHeaders.RequireVersion(headers);
    }

    public static async Task WriteErrorAsync(HttpContext context, ClientProtocolExchange exchange, ApiError error)
    {
        var body = exchange.ErrorBody(error);
        var response = context.Response;
        response.StatusCode = error.StatusCode;
        response.ContentType = "application/json";
        response.ContentLength = body.Length;
        if (error.RetryAfterSeconds is { } retryAfter)
        {
            response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await response.Body.WriteAsync(body, context.RequestAborted);
    }
}
