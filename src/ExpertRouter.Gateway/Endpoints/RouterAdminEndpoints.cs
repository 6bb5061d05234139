using ExpertRouter.Gateway.Routing;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ExpertRouter.Gateway.Endpoints;

/// <summary>
/// <c>GET /admin/routers</c> (routers, versions, rejected folders with their errors, shadows' agreement) and
/// <c>POST /admin/routers/reload</c> (load changed router folders now, and retry rejected ones), behind the admin key.
/// </summary>
internal static class RouterAdminEndpoints
{
    public static WebApplication MapRouterAdmin(this WebApplication app)
    {
        var admin = app.MapGroup("/admin/routers").AddEndpointFilter(TenantAdminEndpoints.RequireAdminKey);
        admin.MapGet("", List);
        admin.MapPost("/reload", Reload);
        return app;
    }

    private static JsonHttpResult<AdminRouters> List(RouterRegistry routers, ShadowRouting shadows) =>
        TypedResults.Json(new AdminRouters(routers.States(), shadows.Reports()), EndpointJson.Default.AdminRouters);

    private static JsonHttpResult<RouterReloadResult> Reload(RouterRegistry routers) =>
        TypedResults.Json(routers.Reload(retryRejected: true), EndpointJson.Default.RouterReloadResult);
}

/// <summary>Every router, and each shadow router's record against the router it shadows.</summary>
internal sealed record AdminRouters(IReadOnlyList<RouterState> Routers, IReadOnlyList<ShadowReport> Shadows);
