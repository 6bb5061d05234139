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

    public async Task InvokeAsync(HttpContext context)
    {
        var feature = context.Features.GetRequiredFeature<IExpertRoutingFeature>();
        var endpoint = context.Request.Path.StartsWithSegments(OpenAIPaths.Embeddings) ? OpenAIEndpoint.Embeddings : OpenAIEndpoint.ChatCompletions;

        var (body, readError) = context.Features.Get<ClientProtocolExchange>()?.ChatBody is { } translated
            ? Translated(translated)
            : await RequestBodyReader.ReadAsync(context.Request, _limit, context.RequestAborted);
        if (readError is not null)
        {
            await ApiErrorWriter.WriteAsync(context, readError);
            return;
        }

        var (request, parseError) = OpenAIRequestParser.Parse(body, endpoint);
        if (parseError is not null)
        {
            await ApiErrorWriter.WriteAsync(context, parseError);
            return;
        }

        feature.Request = request;
        log.Remember(feature.Tenant.Id, feature.RequestId);
        await next(context);
    }

    /// <summary>
    /// A Responses or Messages request's chat body is taken as it was translated, not read back from the request
    /// stream it was also put in; the limit holds for it as for a body read (stored history can make it larger).
    /// </summary>
    private (byte[]? Body, ApiError? Error) Translated(byte[] chatBody) =>
        chatBody.Length > _limit ? (null, ApiError.PayloadTooLarge(_limit)) : (chatBody, null);
}
