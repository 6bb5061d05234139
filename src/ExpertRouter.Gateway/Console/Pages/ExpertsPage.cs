using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Console.Decisions;
using ExpertRouter.Gateway.Console.Rendering;
using ExpertRouter.Gateway.Experts;
using ExpertRouter.Gateway.Invocation;
using ExpertRouter.Gateway.Tenants;

namespace ExpertRouter.Gateway.Console.Pages;

/// <summary>
/// <c>/ui/experts</c> (admin): each expert's health (destinations its checks hold available), its shared circuit and
/// any tenant circuits that are open, and from recent traffic its answers, failures, error rate, upstream latency and
/// spend; today's spend comes from every tenant's ledger.
/// </summary>
internal static class ExpertsPage
{
    public static async Task HandleAsync(HttpContext http)
    {
        var page = new ConsolePageContext(http);
        if (!page.Viewer.IsAdmin)
        {
            await page.ForbiddenAsync();
            return;
        }

        var decisions = page.Decisions();
        var traffic = ExpertTraffic.Compute(decisions);
        var today = await SpendTodayAsync(page, http.RequestAborted);
        var destinations = page.Get<ExpertDestinations>();
        var circuits = page.Get<ExpertCircuits>();
        var html = new Html();
        html.Add($"<section id=\"experts\" data-live aria-labelledby=\"experts-h\"><h2 id=\"experts-h\">Experts</h2>");
        html.Add($"<p class=\"muted\">Traffic columns cover the {decisions.Count:#,0} requests the console holds. Failed: attempts that did not answer (timeouts, resets, retryable statuses); skipped: not sent because a circuit was open or no destination was healthy.</p>");
        html.Add($"<table><caption class=\"sr-only\">Experts: health, circuits, traffic and spend</caption><thead><tr><th scope=\"col\">Expert</th><th scope=\"col\">Health</th><th scope=\"col\">Circuit</th><th scope=\"col\">Tenant circuits open</th><th scope=\"col\">Answered</th><th scope=\"col\">Failed</th><th scope=\"col\">Skipped</th><th scope=\"col\">Error rate</th><th scope=\"col\">Upstream p50</th><th scope=\"col\">Upstream p99</th><th scope=\"col\">Spend (held requests)</th><th scope=\"col\">Spend today</th><th scope=\"col\">Price in / out per M tokens</th></tr></thead><tbody>");
        foreach (var expert in page.Get<ExpertCatalog>().All)
        {
            var (available, total) = destinations.Health(expert.Id);
            var state = circuits.StateOf(expert.Id);
            var tenantCircuits = circuits.OpenTenantCircuits(expert.Id).Select(c => c.Tenant).Order(StringComparer.Ordinal).ToList();
            var t = traffic.GetValueOrDefault(expert.Id) ?? new ExpertTraffic(expert.Id, 0, 0, 0, 0, double.NaN, double.NaN, 0);
            var healthClass = available == 0 ? "bad" : available < total ? "warn" : "ok";
            var circuitClass = state == CircuitState.Closed ? "ok" : state == CircuitState.Open ? "bad" : "warn";
            html.Add($"<tr><th scope=\"row\">{expert.Id}</th><td><span class=\"badge {healthClass}\">{available} of {total} healthy</span></td><td><span class=\"badge {circuitClass}\">{Circuit(state)}</span></td><td>{(tenantCircuits.Count == 0 ? "none" : string.Join(", ", tenantCircuits))}</td>");
            html.Add($"<td>{t.Answered}</td><td>{t.Failed}</td><td>{t.Skipped}</td><td>{Format.Percent(t.ErrorRate)}</td><td>{(double.IsNaN(t.P50UpstreamMs) ? "–" : Format.Ms(t.P50UpstreamMs))}</td><td>{(double.IsNaN(t.P99UpstreamMs) ? "–" : Format.Ms(t.P99UpstreamMs))}</td>");
            html.Add($"<td>{Format.Usd(t.SpendUsd)}</td><td>{Format.Usd(today.GetValueOrDefault(expert.Id))}</td><td>{Format.Usd(expert.InputUsdPerMTok)} / {Format.Usd(expert.OutputUsdPerMTok)}</td></tr>");
        }

        html.Add($"</tbody></table></section>");
        Plot(html, page, decisions, traffic);
        await Layout.WriteAsync(http, page.Frame("Experts", "Experts"), Markup.Of(html));
    }

    private static string Circuit(CircuitState state) => state switch
    {
        CircuitState.Closed => "closed",
        CircuitState.HalfOpen => "half-open (probing)",
        _ => "open",
    };

    /// <summary>Today's ledger of every tenant, summed by expert (ensemble and exploration lines keep their own names).</summary>
    private static async Task<Dictionary<string, double>> SpendTodayAsync(ConsolePageContext page, CancellationToken cancellationToken)
    {
        var ledger = page.Get<ITenantLedger>();
        var day = BudgetPeriod.Day(page.Now);
        var spend = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var tenant in TenantList.All(page.Get<ITenantDirectory>()))
        {
            foreach (var entry in await ledger.GetLedgerAsync(tenant.Id, day, day, cancellationToken))
            {
                spend[entry.Expert] = spend.GetValueOrDefault(entry.Expert) + entry.CostUsd;
            }
        }

        return spend;
    }

    private static void Plot(Html html, ConsolePageContext page, List<Decision> decisions, IReadOnlyDictionary<string, ExpertTraffic> traffic)
    {
        var busiest = traffic.Values.Where(t => t.Answered > 0).OrderByDescending(t => t.Answered).Take(5).Select(t => t.Expert).ToList();
        var last = TrafficStats.Minute(page.Now);
        var plot = new SvgPlot("plot-upstream", "Upstream latency p50 per minute, busiest experts (ms)",
            busiest.Count == 0 ? "No answers yet." : $"The busiest experts: {string.Join(", ", busiest)}.")
        {
            XLabel = Format.Clock,
            YTitle = "ms",
        };
        foreach (var expert in busiest)
        {
            var points = decisions.Where(d => d.Answered?.Expert.Id == expert && d.Ensemble is null && TrafficStats.Minute(d.At) > last - OverviewPage.Minutes)
                .GroupBy(d => TrafficStats.Minute(d.At))
                .Select(g => ((double)g.Key, TrafficStats.Percentile([.. g.Select(d => d.UpstreamMs)], 0.5)));
            plot.Line(expert, points);
        }

        html.Add($"<section id=\"expert-plots\" data-live aria-labelledby=\"expert-plots-h\"><h2 id=\"expert-plots-h\">Latency</h2>{plot.Render()}</section>");
    }
}
