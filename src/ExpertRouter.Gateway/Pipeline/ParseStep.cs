using ExpertRouter.Core.OpenAI;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.RequestLog;
using Microsoft.Extensions.Options;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>Reads and validates the body once; later steps work from <see cref="IExpertRoutingFeature.Request"/>.</summary>
internal sealed class ParseStep(RequestDelegate next, IOptions<GatewayOptions> options, RequestLogQueue log)
{
    private readonly long _limit = options.Value.MaxRequestBodyBytes;

    public Task InvokeAsync(HttpContext context)
    {
        var feature = context.Features.GetRequiredFeature<IExpertRoutingFeature>();
        var endpoint = context.Request.Path.StartsWithSegments(OpenAIPaths.Embeddings) ? OpenAIEndpoint.Embeddings : OpenAIEndpoint.ChatCompletions;
        if (context.Features.Get<ClientProtocolExchange>()?.ChatBody is { } translated)
        {
            return Continue(context, feature, endpoint, Translated(translated));
        }

        // A small body is usually buffered already: then it is read synchronously and the request goes on with the
        // next step's own task, with no state machine allocated for this one.
        var reading = RequestBodyReader.ReadAsync(context.Request, _limit, context.RequestAborted);
        return reading.IsCompletedSuccessfully ? Continue(context, feature, endpoint, reading.Result) : ContinueAsync(context, feature, endpoint, reading);
    }

    private async Task ContinueAsync(
        HttpContext context, IExpertRoutingFeature feature, OpenAIEndpoint endpoint, ValueTask<(byte[]? Body, ApiError? Error)> reading) =>
        await Continue(context, feature, endpoint, await reading);

    private Task Continue(HttpContext context, IExpertRoutingFeature feature, OpenAIEndpoint endpoint, (byte[]? Body, ApiError? Error) read)
    {
        if (read.Error is not null)
        {
            return ApiErrorWriter.WriteAsync(context, read.Error);
        }

        var (request, parseError) = OpenAIRequestParser.Parse(read.Body, endpoint);
        if (parseError is not null)
        {
            return ApiErrorWriter.WriteAsync(context, parseError);
        }

        feature.Request = request;
        log.Remember(feature.Tenant.Id, feature.RequestId);
        return next(context);
    }

    /// <summary>
    /// A Responses or Messages request's chat body is taken as it was translated, not read back from the request
    /// stream it was also put in; the limit holds for it as for a body read (stored history can make it larger).
    /// </summary>
    private (byte[]? Body, ApiError? Error) Translated(byte[] chatBody) =>
        chatBody.Length > _limit ? (null, ApiError.PayloadTooLarge(_limit)) : (chatBody, null);
}
