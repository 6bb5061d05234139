using ExpertRouter.Core.OpenAI;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.OpenAI;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Options;

namespace ExpertRouter.Gateway.Hosting;

/// <summary>
/// Keeps <c>/metrics</c> (tenant ids, per-tenant spend) away from the API's clients: with a management port it is
/// served there only, and the management port serves nothing else but health; without one, <c>/metrics</c> on the
/// API port needs the metrics key or the admin key as a bearer token.
/// </summary>
internal sealed class ManagementGate(RequestDelegate next, IOptions<GatewayOptions> gatewayOptions, ManagementListeners listeners)
{
    public const string MetricsPath = "/metrics";
    private readonly GatewayOptions _options = gatewayOptions.Value;

    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        var onManagement = context.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(ManagementListeners.ConnectionItem) == true;
        if (onManagement)
        {
            return path == MetricsPath || path == "/healthz" || path == "/readyz"
                ? next(context)
                : ApiErrorWriter.WriteAsync(context, ApiError.NotFound($"The management port serves {MetricsPath}, /healthz and /readyz only."));
        }

        if (path != MetricsPath)
        {
            return next(context);
        }

        if (listeners.Enabled)
        {
            return ApiErrorWriter.WriteAsync(context, ApiError.NotFound($"{MetricsPath} is served on the management port (ExpertRouter:Management:Urls)."));
        }

        var keys = new[] { _options.Management.MetricsKeySha256, _options.AdminKeySha256 }.OfType<string>().ToArray();
        if (keys.Length == 0)
        {
            return ApiErrorWriter.WriteAsync(context, ApiError.NotFound(
                $"{MetricsPath} is off: set ExpertRouter:Management:Urls for a management port, or a metrics or admin key to scrape it here."));
        }

        return Presented(context.Request) is { } presented && keys.Any(k => ApiKeyHash.Matches(presented, k))
            ? next(context)
            : ApiErrorWriter.WriteAsync(context, ApiError.Unauthorized($"Scraping {MetricsPath} here needs the metrics or admin key as 'Authorization: Bearer <key>'."));
    }

    private static string? Presented(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }
}
