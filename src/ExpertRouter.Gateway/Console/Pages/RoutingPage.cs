using System.Globalization;
using ExpertRouter.Core.Routing;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Console.Decisions;
using ExpertRouter.Gateway.Console.Rendering;
using ExpertRouter.Gateway.Experts;
using ExpertRouter.Gateway.Routing;
using ExpertRouter.Gateway.Tenants;

namespace ExpertRouter.Gateway.Console.Pages;

/// <summary>
/// <c>/ui/routing</c>: the last decisions, filterable, each with its alternatives and why they were passed over; and
/// each calibrated router's quality–cost curve with where its tenants sit on it.
/// </summary>
internal static class RoutingPage
{
    public static readonly int[] Limits = [50, 100, 500, 1000];

    public static async Task HandleAsync(HttpContext http)
    {
        var page = new ConsolePageContext(http);
        var filter = RoutingFilter.Read(http.Request.Query, page.Viewer.IsAdmin);
        var all = page.Decisions(h => filter.Keeps(h));
        var shown = all.Where(filter.Keeps).ToList();
        var html = new Html();
        Filters(html, page, filter);
        Table(html, shown, filter.Limit);
        QualityCostCurves.Write(html, page, page.Decisions());
        await Layout.WriteAsync(http, page.Frame("Routing", "Routing"), Markup.Of(html));
    }

    private static void Filters(Html html, ConsolePageContext page, RoutingFilter filter)
    {
        html.Add($"<form method=\"get\" action=\"/ui/routing\" class=\"filters\" role=\"search\" aria-label=\"Filter decisions\">");
        if (page.Viewer.IsAdmin)
        {
            Select(html, "tenant", "Tenant", filter.Tenant, TenantList.All(page.Get<ITenantDirectory>()).Select(t => t.Id).Order(StringComparer.Ordinal));
        }

        Select(html, "router", "Router", filter.Router, page.Get<RouterRegistry>().Names.Append(RoutingPlan.DirectRouter).Order(StringComparer.Ordinal));
        Select(html, "expert", "Expert", filter.Expert, page.Get<ExpertCatalog>().All.Select(e => e.Id));
        Select(html, "cache", "Cache", filter.Cache, ["hit", "semantic-hit", "miss", "bypass"]);
        Select(html, "status", "Status", filter.Status, ["2xx", "4xx", "5xx"]);
        html.Add($"<label>Request id <input name=\"request\" value=\"{filter.Request}\" size=\"14\"></label>");
        html.Add($"<label>Show <select name=\"limit\">");
        foreach (var limit in Limits)
        {
            if (limit == filter.Limit)
            {
                html.Add($"<option selected>{limit}</option>");
            }
            else
            {
                html.Add($"<option>{limit}</option>");
            }
        }

        html.Add($"</select></label><button type=\"submit\">Filter</button> <a href=\"/ui/routing\">Clear</a></form>");
    }

    private static void Select(Html html, string name, string label, string? selected, IEnumerable<string> values)
    {
        html.Add($"<label>{label} <select name=\"{name}\"><option value=\"\">any</option>");
        foreach (var value in values)
        {
            if (value == selected)
            {
                html.Add($"<option selected>{value}</option>");
            }
            else
            {
                html.Add($"<option>{value}</option>");
            }
        }

        html.Add($"</select></label>");
    }

    private static void Table(Html html, List<Decision> decisions, int limit)
    {
        var shown = decisions.Take(limit).ToList();
        html.Add($"<section id=\"decisions\" data-live aria-labelledby=\"decisions-h\"><h2 id=\"decisions-h\">Decisions</h2>");
        html.Add($"<p class=\"muted\">{shown.Count} shown of {decisions.Count:#,0} matching, newest first. Times are UTC; cost is what the tenant was charged.</p>");
        if (shown.Count == 0)
        {
            html.Add($"<p>No decision matches.</p></section>");
            return;
        }

        html.Add($"<table class=\"decisions\"><caption class=\"sr-only\">Routing decisions, newest first; each is followed by its alternatives</caption><thead><tr><th scope=\"col\">Time</th><th scope=\"col\">Request</th><th scope=\"col\">Tenant</th><th scope=\"col\">Model</th><th scope=\"col\">Router</th><th scope=\"col\">Chosen</th><th scope=\"col\">Predicted quality</th><th scope=\"col\">Answered by</th><th scope=\"col\">Cost</th><th scope=\"col\">Cache</th><th scope=\"col\">Status</th><th scope=\"col\">Added</th></tr></thead><tbody>");
        foreach (var d in shown)
        {
            var chosen = d.Chosen;
            html.Add($"<tr class=\"decision\" data-request=\"{d.RequestId}\"><td>{Format.Time(d.At)}</td><td class=\"id\">{d.RequestId}</td><td>{d.TenantId ?? "(no key)"}</td><td>{d.Model ?? d.Endpoint}</td><td>{d.Router ?? "–"}</td>");
            html.Add($"<td class=\"chosen\">{chosen?.Expert.Id ?? "–"}</td><td>{Format.Quality(chosen?.PredictedQuality ?? double.NaN)}</td><td>{d.AnsweredBy ?? "–"}</td><td>{Format.Usd(d.CostUsd)}</td><td>{d.Cache ?? "–"}</td><td>{d.Status}</td><td>{Format.Ms(d.OverheadMs)}</td></tr>");
            if (d.Ranking.Count > 1 || d.PassedOver.Count > 0 || d.Failed.Count > 0)
            {
                html.Add($"<tr class=\"alternatives\"><td colspan=\"12\"><details id=\"d-{d.Sequence}\"><summary>Alternatives for {d.RequestId}: {d.RankedTotal - 1} ranked lower, {d.PassedOverTotal} passed over, {d.FailedTotal} failed</summary>");
                html.Add(Alternatives(d));
                html.Add($"</details></td></tr>");
            }
        }

        html.Add($"</tbody></table></section>");
    }

    internal static Markup Alternatives(Decision d)
    {
        var html = new Html();
        var chosen = d.Chosen;
        html.Add($"<table class=\"inner\"><caption class=\"sr-only\">Candidates of {d.RequestId}</caption><thead><tr><th scope=\"col\">Expert</th><th scope=\"col\">Predicted quality</th><th scope=\"col\">Expected cost</th><th scope=\"col\">Utility</th><th scope=\"col\">Why not chosen</th></tr></thead><tbody>");
        foreach (var score in d.Ranking)
        {
            html.Add($"<tr><td>{score.Expert.Id}</td><td>{Format.Quality(score.PredictedQuality)}</td><td>{Format.Usd(score.ExpectedCostUsd)}</td><td>{Utility(score.Utility)}</td><td>{Why(d, score, chosen)}</td></tr>");
        }

        foreach (var passed in d.PassedOver)
        {
            html.Add($"<tr><td>{passed.Expert}</td><td>–</td><td>–</td><td>–</td><td>{Reason(passed.Reason)}</td></tr>");
        }

        var cut = d.RankedTotal - d.Ranking.Count + (d.PassedOverTotal - d.PassedOver.Count);
        if (cut > 0)
        {
            html.Add($"<tr><td colspan=\"5\">and {cut} more (the console keeps {DecisionLog.MaxExperts} of each list)</td></tr>");
        }

        html.Add($"</tbody></table>");
        return Markup.Of(html);
    }

    private static string Why(Decision d, ExpertScore score, ExpertScore? chosen)
    {
        var failed = d.Failed.FirstOrDefault(a => a.Expert == score.Expert.Id);
        if (chosen is { } first && first.Expert.Id == score.Expert.Id)
        {
            return failed.Expert is null ? "chosen" : $"chosen; failed ({failed.Reason}), so the next was tried";
        }

        var note = failed.Expert is null ? "" : $"; tried as a fallback and failed ({failed.Reason})";
        if (d.Router == RoutingPlan.DirectRouter)
        {
            return "the client named another expert; this one is in the tenant's fallback chain" + note;
        }

        if (double.IsNaN(score.PredictedQuality))
        {
            return "the router has no prediction for it, so it ranks after every expert it has one for" + note;
        }

        return chosen is { } c
            ? string.Create(CultureInfo.InvariantCulture, $"lower utility (quality − λ·cost): {Utility(score.Utility)} against {Utility(c.Utility)}{note}")
            : "ranked lower" + note;
    }

    private static string Utility(double utility) => double.IsFinite(utility) ? utility.ToString("0.0000", CultureInfo.InvariantCulture) : "–";

    internal static string Reason(PassReason reason) => reason switch
    {
        PassReason.NotAllowed => "not allowed by the tenant's policy",
        PassReason.Unsupported => "cannot serve this request (endpoint, tools or n > 1)",
        PassReason.ContextTooLong => "the prompt is longer than its context window",
        PassReason.OverCostCap => "its worst case is over the tenant's per-request cost cap",
        PassReason.OverBudget => "its worst case no longer fits the tenant's remaining budget",
        PassReason.BudgetDowngrade => "the soft budget is spent and it is not a downgrade expert",
        PassReason.FallbackTooDear => "as a fallback it costs more than maxFallbackCostRatio times the first choice",
        _ => reason.ToString(),
    };
}

/// <summary>The routing page's filters, from the query string; a tenant viewer's tenant filter is its own, always.</summary>
internal sealed record RoutingFilter(string? Tenant, string? Router, string? Expert, string? Cache, string? Status, string? Request, int Limit)
{
    public static RoutingFilter Read(IQueryCollection query, bool admin)
    {
        static string? Value(IQueryCollection q, string name) => q[name].ToString() is { Length: > 0 and <= 200 } v ? v : null;
        var limit = int.TryParse(query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var asked) && RoutingPage.Limits.Contains(asked) ? asked : 100;
        return new RoutingFilter(admin ? Value(query, "tenant") : null, Value(query, "router"), Value(query, "expert"), Value(query, "cache"), Value(query, "status"), Value(query, "request"), limit);
    }

    /// <summary>The cheap part, on a decision's header before it is copied out.</summary>
    public bool Keeps(DecisionHeader header) =>
        (Tenant is null || header.Tenant == Tenant)
        && (Router is null || header.Router == Router)
        && (Cache is null || header.Cache == Cache)
        && (Status is null || StatusClass(header.Status) == Status);

    /// <summary>The rest, and only routed or refused-after-parsing requests (not model lists or usage reads).</summary>
    public bool Keeps(Decision decision) =>
        decision.Parsed
        && (Expert is null || decision.Chosen?.Expert.Id == Expert || decision.AnsweredBy == Expert)
        && (Request is null || (decision.RequestId?.Contains(Request, StringComparison.OrdinalIgnoreCase) ?? false));

    private static string StatusClass(int status) => status switch
    {
        < 300 => "2xx",
        < 500 => "4xx",
        _ => "5xx",
    };
}
