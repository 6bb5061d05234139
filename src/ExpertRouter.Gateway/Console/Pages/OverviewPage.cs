using System.Globalization;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Console.Decisions;
using ExpertRouter.Gateway.Console.Rendering;
using ExpertRouter.Gateway.Tenants;

namespace ExpertRouter.Gateway.Console.Pages;

/// <summary>
/// <c>/ui/</c>: the last minute's traffic (requests per second, the gateway's added latency, errors, cache hits),
/// spend today against each tenant's budget, what routing saved against each tenant's best expert, and the last
/// half hour per minute.
/// </summary>
internal static class OverviewPage
{
    public const int Minutes = 30;

    public static async Task HandleAsync(HttpContext http)
    {
        var page = new ConsolePageContext(http);
        var decisions = page.Decisions();
        var html = new Html();
        Tiles(html, page, decisions);
        await Spend(html, page, http.RequestAborted);
        Savings(html, RoutingSavings.Compute(decisions), decisions);
        Plots(html, TrafficStats.PerMinute(decisions, page.Now, Minutes));
        await Layout.WriteAsync(http, page.Frame("Overview", "Overview"), Markup.Of(html));
    }

    private static void Tiles(Html html, ConsolePageContext page, List<Decision> decisions)
    {
        var summary = TrafficStats.Summarize(decisions, page.Now, TimeSpan.FromMinutes(1), page.Log.Total > page.Log.Capacity);
        html.Add($"<section id=\"traffic\" data-live aria-labelledby=\"traffic-h\"><h2 id=\"traffic-h\">The last minute</h2><dl class=\"tiles\">");
        Tile(html, "Requests per second", Format.Number(Math.Round(summary.RequestsPerSecond, 2)));
        Tile(html, "Added latency p50", double.IsNaN(summary.P50OverheadMs) ? "–" : Format.Ms(summary.P50OverheadMs));
        Tile(html, "Added latency p99", double.IsNaN(summary.P99OverheadMs) ? "–" : Format.Ms(summary.P99OverheadMs));
        Tile(html, "Error rate (5xx)", Format.Percent(summary.ErrorRate));
        Tile(html, "Refused (4xx)", Format.Percent(summary.RefusedRate));
        Tile(html, "Cache hit rate", Format.Percent(summary.CacheHitRate));
        html.Add($"</dl><p class=\"muted\">{summary.Requests} requests in the last minute. Added latency is the gateway's own time: total time minus time spent waiting on experts.");
        var oldest = decisions.Count > 0 ? decisions[^1].At : page.Now;
        html.Add($" The console keeps the last {page.Log.Capacity:#,0} requests in memory ({decisions.Count:#,0} held, since {Format.Stamp(oldest)}).</p></section>");
    }

    private static void Tile(Html html, string label, string value) => html.Add($"<div class=\"tile\"><dt>{label}</dt><dd>{value}</dd></div>");

    private static async Task Spend(Html html, ConsolePageContext page, CancellationToken cancellationToken)
    {
        var ledger = page.Get<ITenantLedger>();
        var tenants = TenantList.All(page.Get<ITenantDirectory>()).Where(t => page.Viewer.MaySee(t.Id)).OrderBy(t => t.Id, StringComparer.Ordinal).ToList();
        html.Add($"<section id=\"spend\" data-live aria-labelledby=\"spend-h\"><h2 id=\"spend-h\">Spend today</h2>");
        html.Add($"<table><caption class=\"sr-only\">Spend per tenant against its budgets (UTC day and month)</caption><thead><tr><th scope=\"col\">Tenant</th><th scope=\"col\">Spent today</th><th scope=\"col\">Daily budget</th><th scope=\"col\">Used</th><th scope=\"col\">This month</th><th scope=\"col\">Monthly budget</th><th scope=\"col\">Reserved now</th></tr></thead><tbody>");
        foreach (var tenant in tenants)
        {
            var spend = await ledger.GetSpendAsync(tenant.Id, cancellationToken);
            html.Add($"<tr><th scope=\"row\"><a href=\"/ui/tenants/{Uri.EscapeDataString(tenant.Id)}\">{tenant.Id}</a></th><td>{Format.Usd(spend.SpentTodayUsd)}</td><td>{Format.Usd(tenant.Budget.DailyUsd)}</td><td>");
            html.Add(BudgetMeter(tenant, spend));
            html.Add($"</td><td>{Format.Usd(spend.SpentThisMonthUsd)}</td><td>{Format.Usd(tenant.Budget.MonthlyUsd)}</td><td>{Format.Usd(spend.ReservedUsd)}</td></tr>");
        }

        html.Add($"</tbody></table></section>");
    }

    /// <summary>How much of the tightest budget is used; a tenant without a budget has nothing to fill.</summary>
    internal static Markup BudgetMeter(TenantPolicy tenant, TenantSpend spend)
    {
        var html = new Html();
        var (used, budget, period) = tenant.Budget.DailyUsd is { } daily ? (spend.SpentTodayUsd, daily, "daily")
            : tenant.Budget.MonthlyUsd is { } monthly ? (spend.SpentThisMonthUsd, monthly, "monthly")
            : (0, 0, "");
        if (budget <= 0)
        {
            html.Add($"no budget");
            return Markup.Of(html);
        }

        var fraction = Math.Min(used / budget, 1);
        html.Add($"<meter min=\"0\" max=\"1\" low=\"0.7\" high=\"0.9\" optimum=\"0\" value=\"{fraction:0.####}\" aria-label=\"{tenant.Id}: {Format.Percent(fraction)} of the {period} budget\"></meter> {Format.Percent(used / budget)}");
        return Markup.Of(html);
    }

    private static void Savings(Html html, IReadOnlyList<TenantSavings> savings, List<Decision> decisions)
    {
        html.Add($"<section id=\"savings\" data-live aria-labelledby=\"savings-h\"><h2 id=\"savings-h\">What routing saved</h2>");
        html.Add($"<p class=\"muted\">Against always sending the tenant's routed requests to its best expert (the one its router rated highest on average), over the routed requests answered by an expert among the {decisions.Count:#,0} held. Predicted: the plans' expected costs. Actual: what was charged, against the best expert's prices for the same tokens.</p>");
        if (savings.Count == 0)
        {
            html.Add($"<p>No routed request answered by an expert yet.</p></section>");
            return;
        }

        html.Add($"<table><caption class=\"sr-only\">Routing savings per tenant</caption><thead><tr><th scope=\"col\">Tenant</th><th scope=\"col\">Best expert</th><th scope=\"col\">Requests</th><th scope=\"col\">Predicted cost, routed</th><th scope=\"col\">Predicted cost, best</th><th scope=\"col\">Predicted saving</th><th scope=\"col\">Actual cost</th><th scope=\"col\">Best at same tokens</th><th scope=\"col\">Actual saving</th><th scope=\"col\">Predicted quality, routed / best</th></tr></thead><tbody>");
        foreach (var s in savings)
        {
            html.Add($"<tr><th scope=\"row\">{s.Tenant}</th><td>{s.BestExpert.Id}</td><td>{s.Requests}</td><td>{Format.Usd(s.PredictedCostUsd)}</td><td>{Format.Usd(s.PredictedBestCostUsd)}</td><td>{Format.Usd(s.PredictedSavedUsd)} ({Format.Percent(s.PredictedSavedFraction)})</td>");
            html.Add($"<td>{Format.Usd(s.ActualCostUsd)}</td><td>{Format.Usd(s.ActualBestCostUsd)}</td><td>{Format.Usd(s.ActualSavedUsd)} ({Format.Percent(s.ActualSavedFraction)})</td><td>{Format.Quality(s.MeanPredictedQuality)} / {Format.Quality(s.MeanBestPredictedQuality)}</td></tr>");
        }

        html.Add($"</tbody></table></section>");
    }

    private static void Plots(Html html, IReadOnlyList<MinuteBucket> minutes)
    {
        html.Add($"<section id=\"plots\" data-live aria-labelledby=\"plots-h\"><h2 id=\"plots-h\">The last {Minutes} minutes</h2><div class=\"plots\">");
        var requests = new SvgPlot("plot-requests", "Requests and errors per minute", $"{minutes.Sum(m => m.Requests)} requests and {minutes.Sum(m => m.Errors)} errors in the last {Minutes} minutes.")
        {
            XLabel = Format.Clock,
            YTitle = "per minute",
        }.Line("requests", minutes.Select(m => ((double)m.Minute, (double)m.Requests))).Line("errors (5xx)", minutes.Select(m => ((double)m.Minute, (double)m.Errors)));
        html.Add(requests.Render());
        var busy = minutes.Where(m => m.Requests > 0).ToList();
        var latency = new SvgPlot("plot-latency", "Added latency per minute (ms)", busy.Count == 0 ? "No requests." : $"p99 at most {Format.Ms(busy.Max(m => m.P99OverheadMs))} in any minute.")
        {
            XLabel = Format.Clock,
            // Only busy minutes have a latency; the axis still spans the whole window, as the other plots' do.
            XDomain = minutes.Count > 1 ? (minutes[0].Minute, minutes[^1].Minute) : null,
            YLabel = y => y.ToString("0.#", CultureInfo.InvariantCulture),
            YTitle = "ms",
        }.Line("p50", busy.Select(m => ((double)m.Minute, m.P50OverheadMs))).Line("p99", busy.Select(m => ((double)m.Minute, m.P99OverheadMs)));
        html.Add(latency.Render());
        var spend = new SvgPlot("plot-spend", "Spend per minute (USD)", $"{Format.Usd(minutes.Sum(m => m.SpendUsd))} in the last {Minutes} minutes.")
        {
            XLabel = Format.Clock,
            YLabel = y => Format.Usd(y),
            YTitle = "USD",
        }.Bars("spend", minutes.Select(m => ((double)m.Minute, m.SpendUsd)));
        html.Add(spend.Render());
        html.Add($"</div></section>");
    }
}
