using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Console.Rendering;
using ExpertRouter.Gateway.Tenants;
using ExpertRouter.Policies;

namespace ExpertRouter.Gateway.Console.Pages;

/// <summary>
/// <c>/ui/tenants</c> (admin): every tenant's policy at a glance, and the policy folder's rejected files with the
/// errors of the last reload (and a reload button). <c>/ui/tenants/{id}</c> (admin, or that tenant): the whole
/// policy, spend against budgets and over the last 30 days, and the key hashes; the operator can issue a key there,
/// shown once.
/// </summary>
internal static partial class TenantsPage
{
    public const int SpendDays = 30;

    public static Task ListAsync(HttpContext http) => ListAsync(http, notice: Markup.Empty);

    public static async Task ListAsync(HttpContext http, Markup notice)
    {
        var page = new ConsolePageContext(http);
        if (!page.Viewer.IsAdmin)
        {
            await page.ForbiddenAsync();
            return;
        }

        var directory = page.Get<ITenantDirectory>();
        var ledger = page.Get<ITenantLedger>();
        var html = new Html();
        html.Add(notice);
        html.Add($"<section id=\"tenants\" data-live aria-labelledby=\"tenants-h\"><h2 id=\"tenants-h\">Tenants</h2>");
        html.Add($"<table><caption class=\"sr-only\">Tenants and their policies</caption><thead><tr><th scope=\"col\">Tenant</th><th scope=\"col\">Router</th><th scope=\"col\">Cost policy</th><th scope=\"col\">Per-request cap</th><th scope=\"col\">Budgets</th><th scope=\"col\">Spent today / month</th><th scope=\"col\">Rate limits</th><th scope=\"col\">Keys</th><th scope=\"col\">Cache</th></tr></thead><tbody>");
        foreach (var tenant in TenantList.All(directory).OrderBy(t => t.Id, StringComparer.Ordinal))
        {
            var spend = await ledger.GetSpendAsync(tenant.Id, http.RequestAborted);
            html.Add($"<tr><th scope=\"row\"><a href=\"/ui/tenants/{Uri.EscapeDataString(tenant.Id)}\">{tenant.Id}</a></th><td>{tenant.Router}</td><td>{CostPolicy(tenant)}</td><td>{Format.Usd(tenant.MaxCostPerRequestUsd)}</td>");
            html.Add($"<td>{Budgets(tenant)}</td><td>{Format.Usd(spend.SpentTodayUsd)} / {Format.Usd(spend.SpentThisMonthUsd)}</td><td>{RateLimits(tenant)}</td><td>{tenant.ApiKeySha256.Count}</td><td>{Cache(tenant)}</td></tr>");
        }

        html.Add($"</tbody></table></section>");
        PolicyFolder(html, page, directory as PolicyDirectory);
        await Layout.WriteAsync(http, page.Frame("Tenants", "Tenants"), Markup.Of(html));
    }

    public static Task DetailAsync(HttpContext http) => DetailAsync(http, Markup.Empty);

    public static async Task DetailAsync(HttpContext http, Markup notice)
    {
        var page = new ConsolePageContext(http);
        var id = http.Request.RouteValues["id"]?.ToString() ?? "";
        // Another tenant's page is "not found", as an unknown one: a tenant's key never learns which tenants exist.
        if (!page.Viewer.MaySee(id) || TenantList.Find(page.Get<ITenantDirectory>(), id) is not { } tenant)
        {
            await page.NotFoundAsync($"No tenant '{id}' here.");
            return;
        }

        var html = new Html();
        html.Add(notice);
        await Spend(html, page, tenant, http.RequestAborted);
        Policy(html, tenant);
        Keys(html, page, tenant);
        await Layout.WriteAsync(http, page.Frame($"Tenant {tenant.Id}", page.Viewer.IsAdmin ? "Tenants" : "My tenant"), Markup.Of(html));
    }

    private static async Task Spend(Html html, ConsolePageContext page, TenantPolicy tenant, CancellationToken cancellationToken)
    {
        var spendStore = page.Get<ITenantLedger>();
        var spend = await spendStore.GetSpendAsync(tenant.Id, cancellationToken);
        var today = BudgetPeriod.Day(page.Now);
        var ledger = await spendStore.GetLedgerAsync(tenant.Id, today.AddDays(1 - SpendDays), today, cancellationToken);
        html.Add($"<section id=\"tenant-spend\" data-live aria-labelledby=\"tenant-spend-h\"><h2 id=\"tenant-spend-h\">Spend</h2><dl class=\"tiles\">");
        html.Add($"<div class=\"tile\"><dt>Spent today</dt><dd>{Format.Usd(spend.SpentTodayUsd)}</dd></div><div class=\"tile\"><dt>Spent this month</dt><dd>{Format.Usd(spend.SpentThisMonthUsd)}</dd></div>");
        html.Add($"<div class=\"tile\"><dt>Reserved now</dt><dd>{Format.Usd(spend.ReservedUsd)}</dd></div><div class=\"tile\"><dt>Budget left</dt><dd>{Format.Usd(spend.RemainingUsd(tenant.Budget.DailyUsd, tenant.Budget.MonthlyUsd))}</dd></div></dl>");
        html.Add($"<p>Budget used: {OverviewPage.BudgetMeter(tenant, spend)}</p>");
        var days = ledger.GroupBy(e => e.Day).ToDictionary(g => g.Key, g => g.Sum(e => e.CostUsd));
        var plot = new SvgPlot("plot-tenant-spend", $"{tenant.Id}: spend per day, the last {SpendDays} days (USD)", $"{Format.Usd(days.Values.Sum())} over the last {SpendDays} days.")
        {
            XLabel = x => DateOnly.FromDayNumber((int)Math.Round(x)).ToString("MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            YLabel = y => Format.Usd(y),
            YTitle = "USD",
        }.Bars("spend", Enumerable.Range(0, SpendDays).Select(i => today.AddDays(i + 1 - SpendDays)).Select(d => ((double)d.DayNumber, days.GetValueOrDefault(d))));
        html.Add(plot.Render());
        html.Add($"<table><caption>{tenant.Id}: the ledger of the last {SpendDays} days, by expert</caption><thead><tr><th scope=\"col\">Expert</th><th scope=\"col\">Requests</th><th scope=\"col\">Tokens</th><th scope=\"col\">Cost</th><th scope=\"col\">Cache hits</th><th scope=\"col\">Saved by the cache</th></tr></thead><tbody>");
        foreach (var line in ledger.GroupBy(e => e.Expert).OrderByDescending(g => g.Sum(e => e.CostNanos)))
        {
            html.Add($"<tr><th scope=\"row\">{line.Key}</th><td>{line.Sum(e => e.Requests)}</td><td>{line.Sum(e => e.TotalTokens):#,0}</td><td>{Format.Usd(line.Sum(e => e.CostUsd))}</td><td>{line.Sum(e => e.CacheHits)}</td><td>{Format.Usd(line.Sum(e => e.SavedUsd))}</td></tr>");
        }

        if (ledger.Count == 0)
        {
            html.Add($"<tr><td colspan=\"6\">No traffic in these days.</td></tr>");
        }

        html.Add($"</tbody></table><p><a href=\"/ui/routing?tenant={Uri.EscapeDataString(tenant.Id)}\">{tenant.Id}'s recent routing decisions</a></p></section>");
    }

    private static void Policy(Html html, TenantPolicy tenant)
    {
        html.Add($"<section aria-labelledby=\"policy-h\"><h2 id=\"policy-h\">Policy</h2><dl class=\"policy\">");
        Row(html, "Experts allowed", tenant.AllowedExperts.Count == 0 ? "all in the catalogue" : string.Join(", ", tenant.AllowedExperts));
        Row(html, "Experts denied", tenant.DeniedExperts.Count == 0 ? "none" : string.Join(", ", tenant.DeniedExperts));
        Row(html, "Router", tenant.Router + (tenant.ShadowRouter is { } shadow ? $" (shadow: {shadow})" : ""));
        Row(html, "Cost policy", CostPolicy(tenant));
        Row(html, "Per-request cost cap", Format.Usd(tenant.MaxCostPerRequestUsd));
        Row(html, "Budgets", Budgets(tenant) + (tenant.Budget.DowngradeExperts.Count > 0 ? $"; downgrade to {string.Join(", ", tenant.Budget.DowngradeExperts)}" : ""));
        Row(html, "Rate limits", RateLimits(tenant));
        Row(html, "Cache", Cache(tenant));
        Row(html, "Ensemble", tenant.Ensemble.Enabled ? $"on: {tenant.Ensemble.Strategy}, up to {tenant.Ensemble.MaxExperts} experts" : "off");
        Row(html, "Fallback chain", tenant.FallbackChain.Count == 0 ? "the rest of the ranking" : string.Join(" → ", tenant.FallbackChain));
        Row(html, "Fallback cost bound", tenant.MaxFallbackCostRatio is { } ratio ? $"at most {ratio}× the first choice" : "none");
        Row(html, "Prompts in the request log", tenant.Logging.Prompts.ToString().ToLowerInvariant());
        Row(html, "Exploration", tenant.Exploration.Rate > 0 ? $"{Format.Percent(tenant.Exploration.Rate)} of eligible requests, judged by {tenant.Exploration.Judge}, {Format.Usd(tenant.Exploration.DailyBudgetUsd)} a day" : "off");
        Row(html, "Tags", tenant.Tags.Count == 0 ? "none" : string.Join(", ", tenant.Tags.Select(t => $"{t.Key}={t.Value}")));
        html.Add($"</dl></section>");
    }

    private static void Row(Html html, string name, string value) => html.Add($"<dt>{name}</dt><dd>{value}</dd>");

    private static void Keys(Html html, ConsolePageContext page, TenantPolicy tenant)
    {
        html.Add($"<section aria-labelledby=\"keys-h\"><h2 id=\"keys-h\">Keys</h2><p class=\"muted\">Only each key's SHA-256 is kept. A key is shown once, when it is issued.</p><ul class=\"hashes\">");
        foreach (var hash in tenant.ApiKeySha256)
        {
            html.Add($"<li><code>{hash}</code></li>");
        }

        html.Add($"</ul>");
        if (page.Viewer.IsAdmin && page.Get<ITenantDirectory>() is PolicyDirectory)
        {
            html.Add($"<form method=\"post\" action=\"/ui/tenants/{Uri.EscapeDataString(tenant.Id)}/keys\">{Layout.CsrfInput(page.Viewer)}<button type=\"submit\">Issue a new key</button></form>");
            html.Add($"<p class=\"muted\">The new key's hash is added to the tenant's policy file, which is reloaded at once. To retire a key, delete its hash from the file.</p>");
        }
        else if (page.Viewer.IsAdmin)
        {
            html.Add($"<p class=\"muted\">Tenants come from inline configuration (ExpertRouter:Tenants): keys are issued by changing it.</p>");
        }

        html.Add($"</section>");
    }

    private static void PolicyFolder(Html html, ConsolePageContext page, PolicyDirectory? policies)
    {
        html.Add($"<section id=\"policy-files\" data-live aria-labelledby=\"policy-files-h\"><h2 id=\"policy-files-h\">Policy files</h2>");
        if (policies is null)
        {
            html.Add($"<p>Tenants come from inline configuration (ExpertRouter:Tenants), not a policy folder: nothing to reload.</p></section>");
            return;
        }

        html.Add($"<p>Folder <code>{policies.FullPath}</code>, watched for changes. {policies.RejectedTotal} file(s) rejected since start-up; {policies.Rejections.Count} rejected now.</p>");
        if (policies.Rejections.Count == 0)
        {
            html.Add($"<p class=\"notice ok\">Every policy file is accepted.</p>");
        }

        foreach (var rejection in policies.Rejections)
        {
            html.Add($"<div class=\"rejection\"><h3>{Path.GetFileName(rejection.File)}</h3><p>Rejected {Format.Stamp(rejection.RejectedAt)}; ");
            if (rejection.KeptTenantId is { } kept)
            {
                html.Add($"tenant <strong>{kept}</strong> keeps its last good policy.</p>");
            }
            else
            {
                html.Add($"no policy of this file is served.</p>");
            }

            html.Add($"<ul class=\"errors\">");
            foreach (var error in rejection.Errors)
            {
                html.Add($"<li>line {error.Line}, column {error.Column}: {error.Message}</li>");
            }

            html.Add($"</ul></div>");
        }

        html.Add($"</section><form method=\"post\" action=\"/ui/policies/reload\" class=\"actions\">{Layout.CsrfInput(page.Viewer)}<button type=\"submit\">Reload policy files now</button></form>");
    }

    internal static string CostPolicy(TenantPolicy tenant) => tenant.CostTarget switch
    {
        { MaxCostFractionOfBest: { } fraction } => $"at most {Format.Percent(fraction)} of the best expert's cost",
        { AverageCostPer1kRequestsUsd: { } usd } => $"{Format.Usd(usd)} per 1,000 requests",
        _ => $"λ = {tenant.Lambda.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)}",
    };

    private static string Budgets(TenantPolicy tenant) => tenant.Budget.HasLimit
        ? $"{Format.Usd(tenant.Budget.DailyUsd)} a day, {Format.Usd(tenant.Budget.MonthlyUsd)} a month ({tenant.Budget.Mode.ToString().ToLowerInvariant()})"
        : "none";

    private static string RateLimits(TenantPolicy tenant) =>
        tenant.RateLimits.RequestsPerMinute is null && tenant.RateLimits.TokensPerMinute is null
            ? "none"
            : $"{tenant.RateLimits.RequestsPerMinute?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "∞"} requests, {tenant.RateLimits.TokensPerMinute?.ToString("#,0", System.Globalization.CultureInfo.InvariantCulture) ?? "∞"} tokens a minute";

    private static string Cache(TenantPolicy tenant) => tenant.Cache.Enabled
        ? $"on, {tenant.Cache.TtlSeconds} s" + (tenant.Cache.SemanticSimilarity is { } similarity ? $", semantic ≥ {similarity}" : ", exact")
        : "off";
}
