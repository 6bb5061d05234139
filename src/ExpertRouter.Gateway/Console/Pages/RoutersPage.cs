using ExpertRouter.Gateway.Console.Decisions;
using ExpertRouter.Gateway.Console.Rendering;
using ExpertRouter.Gateway.Exploration;
using ExpertRouter.Gateway.RequestLog;
using ExpertRouter.Gateway.Routing;

namespace ExpertRouter.Gateway.Console.Pages;

/// <summary>
/// <c>/ui/routers</c> (admin): the routers and their versions (and router folders whose last change was rejected),
/// a reload button, shadow routers' agreement with the routers they shadow, and the learning loop: each router's
/// recent decisions with the feedback clients sent on them, exploration and the request log's counts, and the
/// calibrated routers' quality–cost curves.
/// </summary>
internal static class RoutersPage
{
    public static Task HandleAsync(HttpContext http) => HandleAsync(http, Markup.Empty);

    public static async Task HandleAsync(HttpContext http, Markup notice)
    {
        var page = new ConsolePageContext(http);
        if (!page.Viewer.IsAdmin)
        {
            await page.ForbiddenAsync();
            return;
        }

        var decisions = page.Decisions();
        var html = new Html();
        html.Add(notice);
        Routers(html, page.Get<RouterRegistry>().States());
        html.Add($"<form method=\"post\" action=\"/ui/routers/reload\" class=\"actions\">{Layout.CsrfInput(page.Viewer)}<button type=\"submit\">Reload router folders now</button></form>");
        Shadows(html, page.Get<ShadowRouting>().Reports());
        Learning(html, page, decisions);
        QualityCostCurves.Write(html, page, decisions);
        await Layout.WriteAsync(http, page.Frame("Routers", "Routers"), Markup.Of(html));
    }

    private static void Routers(Html html, IReadOnlyList<RouterState> routers)
    {
        html.Add($"<section id=\"routers\" data-live aria-labelledby=\"routers-h\"><h2 id=\"routers-h\">Loaded routers</h2>");
        html.Add($"<table><caption class=\"sr-only\">Routers, their versions and folders</caption><thead><tr><th scope=\"col\">Router</th><th scope=\"col\">Kind</th><th scope=\"col\">Version</th><th scope=\"col\">Folder</th><th scope=\"col\">Loaded</th><th scope=\"col\">Last change</th></tr></thead><tbody>");
        foreach (var router in routers)
        {
            html.Add($"<tr><th scope=\"row\">{router.Name}</th><td>{router.Kind}</td><td><code>{router.Version ?? "–"}</code></td><td>{router.Folder ?? "–"}</td><td>{(router.LoadedAt is { } at ? Format.Stamp(at) : "–")}</td><td>");
            if (router.Errors.Count == 0)
            {
                html.Add($"serving");
            }
            else
            {
                html.Add($"<span class=\"badge bad\">rejected {(router.RejectedAt is { } rejected ? Format.Stamp(rejected) : "")}</span>; the last good version keeps serving<ul class=\"errors\">");
                foreach (var error in router.Errors)
                {
                    html.Add($"<li>{error}</li>");
                }

                html.Add($"</ul>");
            }

            html.Add($"</td></tr>");
        }

        html.Add($"</tbody></table></section>");
    }

    private static void Shadows(Html html, IReadOnlyList<ShadowReport> shadows)
    {
        html.Add($"<section id=\"shadows\" data-live aria-labelledby=\"shadows-h\"><h2 id=\"shadows-h\">Shadow routers</h2>");
        if (shadows.Count == 0)
        {
            html.Add($"<p>No shadow router has predicted yet. A tenant's <code>router.shadow</code> names one; it runs after each response when the request log is on.</p></section>");
            return;
        }

        html.Add($"<table><caption class=\"sr-only\">Each shadow router against the router it shadows, over recent decisions</caption><thead><tr><th scope=\"col\">Shadow</th><th scope=\"col\">Serving</th><th scope=\"col\">Decisions</th><th scope=\"col\">Agreement</th><th scope=\"col\">Predicted quality, serving / shadow</th><th scope=\"col\">Expected cost, serving / shadow</th></tr></thead><tbody>");
        foreach (var s in shadows)
        {
            html.Add($"<tr><th scope=\"row\">{s.Shadow}</th><td>{s.Serving}</td><td>{s.Window} of {s.Decisions}</td><td><meter min=\"0\" max=\"1\" value=\"{s.Agreement:0.####}\" aria-label=\"{s.Shadow} agrees with {s.Serving}\"></meter> {Format.Percent(s.Agreement)}</td>");
            html.Add($"<td>{Format.Quality(s.ServingPredictedQuality ?? double.NaN)} / {Format.Quality(s.ShadowPredictedQuality ?? double.NaN)}</td><td>{Format.Usd(s.ServingExpectedCostUsd)} / {Format.Usd(s.ShadowExpectedCostUsd)}</td></tr>");
        }

        html.Add($"</tbody></table></section>");
    }

    private static void Learning(Html html, ConsolePageContext page, List<Decision> decisions)
    {
        var feedback = page.Get<FeedbackLog>();
        var log = page.Get<RequestLogQueue>();
        var logMetrics = page.Get<RequestLogMetrics>();
        var exploration = page.Get<ExplorationMetrics>();
        html.Add($"<section id=\"learning\" data-live aria-labelledby=\"learning-h\"><h2 id=\"learning-h\">Feedback and the learning loop</h2>");
        html.Add($"<dl class=\"tiles\"><div class=\"tile\"><dt>Request log</dt><dd>{(log.Enabled ? "on" : "off")}</dd></div><div class=\"tile\"><dt>Records written</dt><dd>{logMetrics.WrittenTotal:#,0}</dd></div><div class=\"tile\"><dt>Records dropped</dt><dd>{logMetrics.DroppedTotal:#,0}</dd></div>");
        html.Add($"<div class=\"tile\"><dt>Scores received</dt><dd>{feedback.Total:#,0}</dd></div><div class=\"tile\"><dt>Requests explored</dt><dd>{exploration.ExploredTotal:#,0} of {exploration.SampledTotal:#,0} sampled</dd></div></dl>");
        if (!log.Enabled)
        {
            html.Add($"<p class=\"muted\">Feedback, exploration and shadows need the request log (<code>--request-log DIR</code>).</p>");
        }

        html.Add($"<table><caption>Per router, over the {decisions.Count:#,0} requests the console holds</caption><thead><tr><th scope=\"col\">Router</th><th scope=\"col\">Decisions</th><th scope=\"col\">Mean predicted quality</th><th scope=\"col\">Mean expected cost</th><th scope=\"col\">Mean charged</th><th scope=\"col\">Scored by clients</th><th scope=\"col\">Feedback rate</th><th scope=\"col\">Mean score</th></tr></thead><tbody>");
        var routers = RouterTraffic.Compute(decisions, feedback.Read());
        foreach (var r in routers)
        {
            html.Add($"<tr><th scope=\"row\">{r.Router}</th><td>{r.Decisions}</td><td>{Format.Quality(r.MeanPredictedQuality)}</td><td>{Format.Usd(double.IsNaN(r.MeanExpectedCostUsd) ? 0 : r.MeanExpectedCostUsd)}</td><td>{Format.Usd(r.MeanCostUsd)}</td><td>{r.Scored}</td><td>{Format.Percent(r.FeedbackRate)}</td><td>{Format.Quality(r.MeanScore)}</td></tr>");
        }

        if (routers.Count == 0)
        {
            html.Add($"<tr><td colspan=\"8\">No decisions yet.</td></tr>");
        }

        html.Add($"</tbody></table></section>");
    }
}
