using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Console.Access;
using ExpertRouter.Gateway.Console.Decisions;
using ExpertRouter.Gateway.Console.Rendering;
using Microsoft.Extensions.Options;

namespace ExpertRouter.Gateway.Console.Pages;

/// <summary>What every page starts from: the viewer the gate let in, the services, the time, and the decisions it may see.</summary>
internal sealed class ConsolePageContext(HttpContext http)
{
    public HttpContext Http { get; } = http;

    public ConsoleViewer Viewer { get; } = http.Features.GetRequiredFeature<ConsoleViewer>();

    public IServiceProvider Services => Http.RequestServices;

    public GatewayOptions Options { get; } = http.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value;

    public DateTimeOffset Now { get; } = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();

    public DecisionLog Log { get; } = http.RequestServices.GetRequiredService<DecisionLog>();

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>The recorded decisions the viewer may see (a tenant: its own), newest first.</summary>
    public List<Decision> Decisions(Func<DecisionHeader, bool>? keep = null, int limit = int.MaxValue)
    {
        var tenant = Viewer.TenantId;
        return Log.Read(tenant is null ? keep : h => h.Tenant == tenant && (keep is null || keep(h)), limit);
    }

    public PageFrame Frame(string title, string active, bool live = true) =>
        new(title, active, Viewer, live ? Options.Console.RefreshSeconds : 0);

    public Task ForbiddenAsync() => ConsoleRefusal.WriteAsync(Http, Viewer, StatusCodes.Status403Forbidden, "admin_key_required",
        "This page is for the operator: it needs the admin key. A tenant's key opens the overview, the routing decisions and its own tenant page.");

    public Task NotFoundAsync(string message) => ConsoleRefusal.WriteAsync(Http, Viewer, StatusCodes.Status404NotFound, "not_found", message);
}
