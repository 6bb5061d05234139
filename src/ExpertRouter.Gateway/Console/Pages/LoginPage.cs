using ExpertRouter.Core.Telemetry;
using ExpertRouter.Gateway.Console.Access;
using ExpertRouter.Gateway.Console.Rendering;

namespace ExpertRouter.Gateway.Console.Pages;

/// <summary>
/// <c>/ui/login</c>: a browser trades a key (the admin key, or a tenant's) for a session cookie: Secure, HttpOnly,
/// SameSite=Strict, <c>__Host-</c>. The form itself is CSRF-safe by double submit: the token in its hidden field must
/// match a cookie only this host could set, so another site cannot log a browser in under a key of its choosing.
/// <c>/ui/logout</c> ends the session.
/// </summary>
internal static partial class LoginPage
{
    public const string LoginCookie = "__Host-er-login";

    public static async Task GetAsync(HttpContext http)
    {
        var access = http.RequestServices.GetRequiredService<ConsoleAccess>();
        if (access.Resolve(http).Viewer is not null)
        {
            Redirect(http, NextOf(http.Request.Query["next"].ToString()));
            return;
        }

        await FormAsync(http, StatusCodes.Status200OK, NextOf(http.Request.Query["next"].ToString()), message: null);
    }

    public static async Task PostAsync(HttpContext http)
    {
        var access = http.RequestServices.GetRequiredService<ConsoleAccess>();
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("ExpertRouter.Console");
        if (!http.Request.HasFormContentType || !ConsoleGate.SameOrigin(http.Request))
        {
            await FormAsync(http, StatusCodes.Status400BadRequest, "/ui/", "The login form must be sent from this console's own page.");
            return;
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var next = NextOf(form["next"].ToString());
        if (http.Request.Cookies[LoginCookie] is not { Length: > 0 } expected || !ConsoleAccess.SameToken(form[Layout.CsrfField].ToString(), expected))
        {
            await FormAsync(http, StatusCodes.Status400BadRequest, next, "The login form expired. Enter the key again.");
            return;
        }

        var (viewer, keyHash) = access.ForKey(form["key"].ToString().Trim());
        if (viewer is null)
        {
            Log.Refused(logger);
            await FormAsync(http, StatusCodes.Status401Unauthorized, next, "That key opens nothing here. Use the admin key, or one of your tenant's keys.");
            return;
        }

        var (token, session) = access.Sessions.Start(viewer.TenantId, keyHash);
        http.Response.Cookies.Append(ConsoleAccess.SessionCookie, token, Cookie(session.Expires));
        http.Response.Cookies.Delete(LoginCookie, Cookie(null));
        Log.LoggedIn(logger, viewer.TenantId ?? "(admin)");
        Redirect(http, next);
    }

    /// <summary>The gate has checked the session and its CSRF token.</summary>
    public static Task LogoutAsync(HttpContext http)
    {
        if (http.Request.Cookies[ConsoleAccess.SessionCookie] is { Length: > 0 } token)
        {
            http.RequestServices.GetRequiredService<ConsoleAccess>().Sessions.End(token);
            Log.LoggedOut(http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("ExpertRouter.Console"));
        }

        http.Response.Cookies.Delete(ConsoleAccess.SessionCookie, Cookie(null));
        Redirect(http, "/ui/login");
        return Task.CompletedTask;
    }

    private static async Task FormAsync(HttpContext http, int status, string next, string? message)
    {
        var token = ConsoleSessions.NewToken();
        http.Response.Cookies.Append(LoginCookie, token, Cookie(null));
        var html = new Html();
        if (message is not null)
        {
            html.Add($"<p class=\"notice error\" role=\"alert\">{message}</p>");
        }

        html.Add($"<form method=\"post\" action=\"/ui/login\" class=\"login\"><input type=\"hidden\" name=\"{Layout.CsrfField}\" value=\"{token}\"><input type=\"hidden\" name=\"next\" value=\"{next}\">");
        html.Add($"<label for=\"key\">Key</label><input id=\"key\" name=\"key\" type=\"password\" autocomplete=\"off\" required spellcheck=\"false\" aria-describedby=\"key-help\">");
        html.Add($"<p id=\"key-help\" class=\"muted\">The admin key opens every page. A tenant's API key opens that tenant's own view. Scripts can skip this form and send the key as <code>Authorization: Bearer &lt;key&gt;</code>.</p>");
        html.Add($"<button type=\"submit\">Log in</button></form>");
        await Layout.WriteAsync(http, new PageFrame("Log in", "", null), Markup.Of(html), status);
    }

    private static CookieOptions Cookie(DateTimeOffset? expires) => new()
    {
        Secure = true,
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };

    /// <summary>Only a path inside the console: never another site (an open redirect) nor a scheme-relative URL.</summary>
    private static string NextOf(string next) =>
        next.StartsWith("/ui/", StringComparison.Ordinal) && !next.StartsWith("//", StringComparison.Ordinal) && !next.Contains('\\', StringComparison.Ordinal)
            ? next
            : "/ui/";

    private static void Redirect(HttpContext http, string location)
    {
        http.Response.StatusCode = StatusCodes.Status303SeeOther;
        http.Response.Headers.Location = location;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.ConsoleLogin, Level = LogLevel.Information, Message = "Console: logged in as {Viewer}.")]
        public static partial void LoggedIn(ILogger logger, string viewer);

        [LoggerMessage(EventId = LogEvents.ConsoleLoginRefused, Level = LogLevel.Warning, Message = "Console: a login with a key that opens nothing was refused.")]
        public static partial void Refused(ILogger logger);

        [LoggerMessage(EventId = LogEvents.ConsoleLogout, Level = LogLevel.Information, Message = "Console: logged out.")]
        public static partial void LoggedOut(ILogger logger);
    }
}
