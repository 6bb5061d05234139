using ExpertRouter.Core.Identifiers;
using ExpertRouter.Core.OpenAI;
using ExpertRouter.Core.Telemetry;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.OpenAI;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>First step for every <c>/v1</c> request: the bearer key picks the tenant, and the feature is born.</summary>
internal sealed partial class TenantStep(RequestDelegate next, ITenantDirectory tenants, ILogger<TenantStep> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var requestId = RequestIdOf(context.Request);
        context.Response.Headers[GatewayHeaders.RequestId] = requestId;

        var key = BearerKey(context.Request);
        if (key is null)
        {
            return ApiErrorWriter.WriteAsync(context, ApiError.Unauthorized(
                "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'."));
        }

        var tenant = tenants.FindByApiKey(key);
        if (tenant is null)
        {
            Log.UnknownKey(logger, requestId);
            return ApiErrorWriter.WriteAsync(context, ApiError.Unauthorized("Incorrect API key provided."));
        }

        context.Features.Set<IExpertRoutingFeature>(new ExpertRoutingFeature(tenant, requestId));
        return next(context);
    }

    private static string? BearerKey(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && header.Length > scheme.Length
            ? header[scheme.Length..].Trim()
            : null;
    }

    /// <summary>Keeps a caller's request id when it is a sane token, so traces join across systems.</summary>
    private static string RequestIdOf(HttpRequest request)
    {
        var incoming = request.Headers[GatewayHeaders.RequestId].ToString();
        return incoming.Length is > 0 and <= 128 && incoming.All(c => c is > ' ' and < '\u007f')
            ? incoming
            : NewRequestId();
    }

    /// <summary>"req_" and a new GUID's 32 hex digits, written into one string (not a GUID string and a concatenation).</summary>
    private static string NewRequestId() => string.Create(36, RandomIds.NewGuid(), static (chars, id) =>
    {
        "req_".CopyTo(chars);
        id.TryFormat(chars[4..], out _, "N");
    });

    private static partial class Log
    {
        // Never the key itself: only that one was refused.
        [LoggerMessage(EventId = LogEvents.UnknownKey, Level = LogLevel.Information, Message = "Request {RequestId} refused: unknown API key.")]
        public static partial void UnknownKey(ILogger logger, string requestId);
    }
}
