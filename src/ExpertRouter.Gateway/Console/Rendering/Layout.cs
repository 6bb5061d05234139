using System.Text;
using ExpertRouter.Gateway.Console.Access;

namespace ExpertRouter.Gateway.Console.Rendering;

/// <summary>
/// The page around every console page: navigation (only the pages the viewer may open), the live-update control,
/// and the headers that keep pages out of caches and frames. The first response carries all the data; the script
/// only refreshes the parts marked <c>data-live</c>.
/// </summary>
internal static class Layout
{
    public const string CsrfField = "_csrf";

    public static async Task WriteAsync(HttpContext context, PageFrame frame, Markup body, int status = StatusCodes.Status200OK)
    {
        var html = new Html();
        html.Add($"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        html.Add($"<title>{frame.Title} · ExpertRouter console</title><link rel=\"stylesheet\" href=\"/ui/assets/console.css\"><script src=\"/ui/assets/console.js\" defer></script></head>");
        html.Add($"<body data-refresh=\"{frame.RefreshSeconds}\"><a class=\"skip\" href=\"#main\">Skip to the page's content</a><header class=\"top\"><p class=\"brand\">ExpertRouter</p>");
        if (frame.Viewer is { } viewer)
        {
            Navigation(html, viewer, frame.Active);
        }

        html.Add($"</header><main id=\"main\"><h1>{frame.Title}</h1>");
        if (frame.RefreshSeconds > 0)
        {
            html.Add($"<p class=\"live\"><button id=\"live-toggle\" type=\"button\" aria-pressed=\"false\">Pause updates</button> <span id=\"live-status\">Updates every {frame.RefreshSeconds} s while this page is open.</span></p>");
        }

        html.Add(body);
        html.Add($"</main></body></html>");
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        var bytes = Encoding.UTF8.GetBytes(html.ToString());
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    /// <summary>A hidden field with the session's CSRF token, for every form that changes something.</summary>
    public static Markup CsrfInput(ConsoleViewer viewer)
    {
        var html = new Html();
        if (viewer.Session is { } session)
        {
            html.Add($"<input type=\"hidden\" name=\"{CsrfField}\" value=\"{session.CsrfToken}\">");
        }

        return Markup.Of(html);
    }

    private static void Navigation(Html html, ConsoleViewer viewer, string active)
    {
        html.Add($"<nav aria-label=\"Console pages\"><ul>");
        Link(html, "/ui/", "Overview", active);
        Link(html, "/ui/routing", "Routing", active);
        if (viewer.IsAdmin)
        {
            Link(html, "/ui/experts", "Experts", active);
            Link(html, "/ui/tenants", "Tenants", active);
            Link(html, "/ui/routers", "Routers", active);
        }
        else
        {
            Link(html, "/ui/tenants/" + Uri.EscapeDataString(viewer.TenantId!), "My tenant", active);
        }

        html.Add($"</ul></nav><div class=\"who\">");
        if (viewer.IsAdmin)
        {
            html.Add($"<span>Signed in as the operator</span>");
        }
        else
        {
            html.Add($"<span>Signed in as tenant <strong>{viewer.TenantId}</strong></span>");
        }

        if (viewer.ByCookie)
        {
            html.Add($"<form method=\"post\" action=\"/ui/logout\">{CsrfInput(viewer)}<button type=\"submit\">Log out</button></form>");
        }

        html.Add($"</div>");
    }

    private static void Link(Html html, string href, string label, string active)
    {
        if (active == label)
        {
            html.Add($"<li><a href=\"{href}\" aria-current=\"page\">{label}</a></li>");
        }
        else
        {
            html.Add($"<li><a href=\"{href}\">{label}</a></li>");
        }
    }
}

/// <summary>What the layout needs to know about a page.</summary>
internal sealed record PageFrame(string Title, string Active, ConsoleViewer? Viewer, int RefreshSeconds = 0);
