using ExpertRouter.Core.OpenAI;
using ExpertRouter.Core.Telemetry;
using ExpertRouter.Gateway.Console.Rendering;
using ExpertRouter.Gateway.OpenAI;

namespace ExpertRouter.Gateway.Console.Access;

/// <summary>
/// In front of every <c>/ui</c> request: the security headers, then who is asking. Without a key or a session a
/// browser is sent to the login form and a script gets a 401; a wrong bearer key gets a 401. A browser's POST must
/// carry its session's CSRF token and, when the browser sends one, an Origin of this host. Pages then check what the
/// viewer may see (<see cref="ConsoleViewer"/>).
/// </summary>
internal sealed partial class ConsoleGate(RequestDelegate next, ConsoleAccess access, ILogger<ConsoleGate> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        SecurityHeaders(context.Response);
        if (!access.Served)
        {
            await ApiErrorWriter.WriteAsync(context, ApiError.NotFound(
                "The console is off: set ExpertRouter:AdminKeySha256 ('expertrouter keys admin' prints a key and its hash)."));
            return;
        }

        var path = context.Request.Path;
        if (path.StartsWithSegments("/ui/assets") || path == "/ui/login")
        {
            await next(context);
            return;
        }

        var result = access.Resolve(context);
        if (result.Viewer is not { } viewer)
        {
            await RefuseAsync(context, result.Kind);
            return;
        }

        if (HttpMethods.IsPost(context.Request.Method) && viewer.ByCookie && !await CsrfHoldsAsync(context, viewer.Session!))
        {
            Log.CsrfRefused(logger, context.Request.Path.Value ?? "");
            await ConsoleRefusal.WriteAsync(context, viewer, StatusCodes.Status403Forbidden, "csrf_token_invalid",
                "This form is out of date or did not come from this console. Reload the page and try again.");
            return;
        }

        context.Features.Set(viewer);
        await next(context);
    }

    /// <summary>A same-origin form with the session's token; a cross-site POST has neither (the cookie is SameSite=Strict too).</summary>
    internal static async Task<bool> CsrfHoldsAsync(HttpContext context, ConsoleSession session) =>
        SameOrigin(context.Request)
        && context.Request.HasFormContentType
        && ConsoleAccess.SameToken((await context.Request.ReadFormAsync(context.RequestAborted))[Layout.CsrfField].ToString(), session.CsrfToken);

    internal static bool SameOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        return origin.Length == 0
            || (Uri.TryCreate(origin, UriKind.Absolute, out var uri) && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
    }

    private static Task RefuseAsync(HttpContext context, AccessKind kind)
    {
        if (kind == AccessKind.Anonymous && HttpMethods.IsGet(context.Request.Method) && ConsoleRefusal.WantsHtml(context.Request))
        {
            var back = context.Request.Path + context.Request.QueryString;
            context.Response.Redirect("/ui/login?next=" + Uri.EscapeDataString(back.ToString()));
            context.Response.StatusCode = StatusCodes.Status303SeeOther;
            return Task.CompletedTask;
        }

        return ConsoleRefusal.WriteAsync(context, null, StatusCodes.Status401Unauthorized, "invalid_api_key", kind == AccessKind.WrongKey
            ? "That key opens nothing here. The console takes the admin key or a tenant's key (Authorization: Bearer <key>)."
            : "Log in at /ui/login, or send the admin key or a tenant's key as 'Authorization: Bearer <key>'.");
    }

    private static void SecurityHeaders(HttpResponse response)
    {
        var headers = response.Headers;
        // Everything the console needs comes from /ui itself: no inline script or style, no other origin, no framing.
        headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        // Not no-referrer: under it a browser sends "Origin: null" with the console's own forms, which the origin check refuses.
        headers["Referrer-Policy"] = "same-origin";
        // Pages carry tenants' spend and keys' hashes: never stored by a browser or a proxy.
        headers.CacheControl = "no-store";
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.ConsoleCsrfRefused, Level = LogLevel.Warning, Message = "Console form to {Path} refused: its CSRF token or origin did not match the session.")]
        public static partial void CsrfRefused(ILogger logger, string path);
    }
}
