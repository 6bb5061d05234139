using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.OpenAI;
using Microsoft.Extensions.Options;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>
/// First step of the Responses API and Anthropic Messages routes, once the tenant is known: the client's body becomes
/// a chat-completions body (a Responses continuation is looked up in the tenant's stored responses), which the chat
/// pipeline then parses, plans, caches, budgets and forwards exactly as it would a chat request.
/// </summary>
internal sealed class ProtocolRequestStep(RequestDelegate next, IOptions<GatewayOptions> options)
{
    private readonly long _limit = options.Value.MaxRequestBodyBytes;

    public async Task InvokeAsync(HttpContext context)
    {
        var exchange = context.Features.GetRequiredFeature<ClientProtocolExchange>();
        var feature = context.Features.GetRequiredFeature<IExpertRoutingFeature>();
        var (body, readError) = await RequestBodyReader.ReadAsync(context.Request, _limit, context.RequestAborted);
        if (readError is not null)
        {
            await ApiErrorWriter.WriteAsync(context, readError);
            return;
        }

        var (chatBody, error) = await exchange.TranslateRequestAsync(feature.Tenant.Id, body, context.RequestAborted);
        if (error is not null)
        {
            await ApiErrorWriter.WriteAsync(context, error);
            return;
        }

        context.Request.Body = new MemoryStream(chatBody!, writable: false);
        context.Request.ContentLength = chatBody!.Length;
        await next(context);
    }
}
