using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Console.Access;
using ExpertRouter.Gateway.Console.Assets;
using ExpertRouter.Gateway.Console.Decisions;
using ExpertRouter.Gateway.Console.Pages;

namespace ExpertRouter.Gateway.Console;

/// <summary>Registers and maps the operator console at <c>/ui/</c> (docs/console.md).</summary>
public static class ConsoleServiceCollectionExtensions
{
    /// <summary>Feedback is rarer than requests: a smaller ring holds enough of it for the rates.</summary>
    private const int FeedbackCapacityDivisor = 2;

    /// <summary>
    /// The decision ring the request path fills and the console reads, the feedback ring, and the login sessions.
    /// With the console off (no admin key, or <c>Console:Enabled</c> false) the rings hold nothing and recording is a
    /// single branch.
    /// </summary>
    public static IServiceCollection AddConsole(this IServiceCollection services, GatewayOptions options)
    {
        var served = options.Console.Enabled && options.AdminKeySha256 is not null;
        services.AddSingleton(sp => new DecisionLog(options.Console.Decisions, served, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new FeedbackLog(Math.Max(100, options.Console.Decisions / FeedbackCapacityDivisor), served, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new ConsoleSessions(options.Console, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ConsoleAccess>();
        return services;
    }

    public static WebApplication MapConsole(this WebApplication app)
    {
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/ui"), ui => ui.UseMiddleware<ConsoleGate>());
        app.MapGet("/ui/", new RequestDelegate(OverviewPage.HandleAsync));
        app.MapGet("/ui/routing", new RequestDelegate(RoutingPage.HandleAsync));
        app.MapGet("/ui/experts", new RequestDelegate(ExpertsPage.HandleAsync));
        app.MapGet("/ui/tenants", new RequestDelegate(TenantsPage.ListAsync));
        app.MapGet("/ui/tenants/{id}", new RequestDelegate(TenantsPage.DetailAsync));
        app.MapPost("/ui/tenants/{id}/keys", new RequestDelegate(ConsoleActions.IssueKeyAsync));
        app.MapPost("/ui/policies/reload", new RequestDelegate(ConsoleActions.ReloadPoliciesAsync));
        app.MapGet("/ui/routers", new RequestDelegate(RoutersPage.HandleAsync));
        app.MapPost("/ui/routers/reload", new RequestDelegate(ConsoleActions.ReloadRoutersAsync));
        app.MapGet("/ui/login", new RequestDelegate(LoginPage.GetAsync));
        app.MapPost("/ui/login", new RequestDelegate(LoginPage.PostAsync));
        app.MapPost("/ui/logout", new RequestDelegate(LoginPage.LogoutAsync));
        app.MapGet("/ui/assets/{name}", new RequestDelegate(ConsoleAssets.HandleAsync));
        app.Map("/ui/{**path}", new RequestDelegate(NotFoundAsync));
        return app;
    }

    private static Task NotFoundAsync(HttpContext http) =>
        ConsoleRefusal.WriteAsync(http, http.Features.Get<ConsoleViewer>(), StatusCodes.Status404NotFound, "not_found", $"No console page {http.Request.Method} {http.Request.Path}.");
}
