using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Console.Decisions;
using ExpertRouter.Gateway.Console.Rendering;
using ExpertRouter.Gateway.Routing;
using ExpertRouter.Gateway.Tenants;
using ExpertRouter.Irt.Calibration;
using ExpertRouter.Irt.Serving;

namespace ExpertRouter.Gateway.Console.Pages;

/// <summary>
/// Each calibrated router's quality–cost curve (its calibration's points: predicted quality of the chosen expert
/// against USD per 1,000 requests, one point per λ), the operating point of each tenant that routes with it, and
/// what the router's live decisions were predicted to score and actually cost.
/// </summary>
internal static class QualityCostCurves
{
    public static void Write(Html html, ConsolePageContext page, IReadOnlyList<Decision> decisions)
    {
        var registry = page.Get<RouterRegistry>();
        var tenants = TenantList.All(page.Get<ITenantDirectory>()).Where(t => page.Viewer.MaySee(t.Id)).ToList();
        html.Add($"<section id=\"curves\" data-live aria-labelledby=\"curves-h\"><h2 id=\"curves-h\">Quality against cost</h2>");
        var any = false;
        foreach (var name in registry.Names.Order(StringComparer.Ordinal))
        {
            if (!registry.TryGet(name, out var router) || router is not IrtSkillRouter { Calibration: { Points.Count: > 0 } calibration })
            {
                continue;
            }

            var users = tenants.Where(t => t.Router == name).ToList();
            if (!page.Viewer.IsAdmin && users.Count == 0)
            {
                continue;
            }

            any = true;
            Curve(html, name, calibration, users, decisions.Where(d => d.Router == name && d.Chosen is not null).ToList());
        }

        if (!any)
        {
            html.Add($"<p>No calibrated router is loaded (built-in routers such as <code>cheapest</code> carry no curve).</p>");
        }

        html.Add($"</section>");
    }

    private static void Curve(Html html, string name, RouterCalibration calibration, List<TenantPolicy> users, List<Decision> live)
    {
        var plot = new SvgPlot($"curve-{Slug(name)}", $"{name}: predicted quality against cost",
            $"Calibrated on {calibration.Prompts} prompts of {calibration.Source}; the best expert, {calibration.BestExpert}, costs {Format.Usd(calibration.BestExpertUsdPer1k)} per 1,000 requests.")
        {
            XLabel = x => Format.Usd(x),
            XTitle = "USD per 1,000 requests",
            YTitle = "predicted quality",
            YFromZero = false,
        }.Line("calibration (one point per λ)", calibration.Points.Select(p => (p.UsdPer1k, p.PredictedQuality)));
        var operating = users.Select(t => (Tenant: t, Point: OperatingPoint(calibration, t))).ToList();
        plot.Points("tenants' operating points", operating.Select(o => (o.Point.UsdPer1k, o.Point.PredictedQuality, (string?)o.Tenant.Id)));
        var measured = live.Where(d => d.Status < 400 && !d.IsCacheHit && double.IsFinite(d.Chosen!.Value.PredictedQuality)).ToList();
        if (measured.Count > 0)
        {
            plot.Points("live decisions (mean)", [(measured.Average(d => d.CostUsd) * 1000, measured.Average(d => d.Chosen!.Value.PredictedQuality), $"live, {measured.Count} requests")]);
        }

        html.Add(plot.Render());
        html.Add($"<table><caption>{name}: where its tenants sit</caption><thead><tr><th scope=\"col\">Tenant</th><th scope=\"col\">Policy</th><th scope=\"col\">λ</th><th scope=\"col\">Expected USD per 1,000 requests</th><th scope=\"col\">Share of the best expert's cost</th><th scope=\"col\">Predicted quality</th></tr></thead><tbody>");
        foreach (var (tenant, point) in operating)
        {
            html.Add($"<tr><th scope=\"row\">{tenant.Id}</th><td>{Policy(tenant)}</td><td>{point.Lambda:0.####}</td><td>{Format.Usd(point.UsdPer1k)}</td><td>{Format.Percent(point.CostFraction)}</td><td>{Format.Quality(point.PredictedQuality)}</td></tr>");
        }

        if (operating.Count == 0)
        {
            html.Add($"<tr><td colspan=\"6\">No tenant routes with {name}.</td></tr>");
        }

        html.Add($"</tbody></table>");
    }

    /// <summary>The calibration point the tenant's policy lands on: its cost target's, or the nearest λ to its own.</summary>
    internal static CalibrationPoint OperatingPoint(RouterCalibration calibration, TenantPolicy tenant) => tenant.CostTarget switch
    {
        { MaxCostFractionOfBest: { } fraction } => calibration.ForCostFraction(fraction),
        { AverageCostPer1kRequestsUsd: { } usd } => calibration.ForUsdPer1k(usd),
        _ => calibration.Points.MinBy(p => Math.Abs(p.Lambda - tenant.Lambda))!,
    };

    private static string Policy(TenantPolicy tenant) => tenant.CostTarget switch
    {
        { MaxCostFractionOfBest: { } fraction } => $"cost target: at most {Format.Percent(fraction)} of the best expert's cost",
        { AverageCostPer1kRequestsUsd: { } usd } => $"cost target: {Format.Usd(usd)} per 1,000 requests",
        _ => "λ set directly",
    };

    private static string Slug(string name) => new([.. name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]);
}
