using ExpertRouter.Core.Telemetry;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Console.Rendering;
using ExpertRouter.Gateway.Routing;
using ExpertRouter.Gateway.Tenants;
using ExpertRouter.Policies;

namespace ExpertRouter.Gateway.Console.Pages;

/// <summary>
/// The console's state-changing forms (the gate has already checked the admin key or session and its CSRF token):
/// issuing a tenant key, reloading policy files, reloading router folders. Each answers with the page it came from
/// and what happened; a new key is in that answer only, never stored or logged.
/// </summary>
internal static partial class ConsoleActions
{
    public static async Task IssueKeyAsync(HttpContext http)
    {
        var page = new ConsolePageContext(http);
        if (!page.Viewer.IsAdmin)
        {
            await page.ForbiddenAsync();
            return;
        }

        var id = http.Request.RouteValues["id"]?.ToString() ?? "";
        if (page.Get<ITenantDirectory>() is not PolicyDirectory policies)
        {
            await TenantsPage.DetailAsync(http, Notice("error", "Tenants come from inline configuration (ExpertRouter:Tenants): keys are issued by changing it."));
            return;
        }

        if (TenantList.Find(policies, id) is null)
        {
            await page.NotFoundAsync($"No tenant '{id}' here.");
            return;
        }

        IssuedKey? key;
        IReadOnlyList<PolicyError> errors;
        try
        {
            (key, errors) = PolicyFiles.AddKey(policies.FullPath, id, page.Now);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A read-only mount (a Kubernetes ConfigMap) cannot take a key: say so rather than fail the page.
            (key, errors) = (null, [new PolicyError(policies.FullPath, 0, 0, "The policy folder cannot be written: " + ex.Message)]);
        }

        if (key is null)
        {
            await TenantsPage.DetailAsync(http, Notice("error", "No key was issued: " + string.Join("; ", errors.Select(e => e.Message))));
            return;
        }

        policies.Reload();
        Log.KeyIssued(Logger(http), id, ApiKeyHash.Sha256Hex(key.ApiKey)[..12]);
        var html = new Html();
        html.Add($"<div class=\"notice ok\" role=\"status\"><p>A new key for <strong>{id}</strong>, shown only this once: store it now.</p><p><code id=\"issued-key\">{key.ApiKey}</code></p>");
        html.Add($"<p class=\"muted\">Its SHA-256 was added to {Path.GetFileName(key.PolicyFile)}, which is reloaded: the key works now.</p></div>");
        await TenantsPage.DetailAsync(http, Markup.Of(html));
    }

    public static async Task ReloadPoliciesAsync(HttpContext http)
    {
        var page = new ConsolePageContext(http);
        if (!page.Viewer.IsAdmin)
        {
            await page.ForbiddenAsync();
            return;
        }

        if (page.Get<ITenantDirectory>() is not PolicyDirectory policies)
        {
            await TenantsPage.ListAsync(http, Notice("error", "Tenants come from inline configuration (ExpertRouter:Tenants), not a policy folder: nothing to reload."));
            return;
        }

        var result = policies.Reload();
        Log.PoliciesReloaded(Logger(http), result.Accepted.Count, result.Rejected.Count, result.Removed.Count);
        var summary = result.Changed
            ? $"Reloaded: {result.Accepted.Count} accepted, {result.Rejected.Count} rejected, {result.Removed.Count} removed."
            : "Reloaded: no policy file changed since the last read.";
        await TenantsPage.ListAsync(http, Notice(result.Rejected.Count > 0 ? "error" : "ok", summary));
    }

    public static async Task ReloadRoutersAsync(HttpContext http)
    {
        var page = new ConsolePageContext(http);
        if (!page.Viewer.IsAdmin)
        {
            await page.ForbiddenAsync();
            return;
        }

        var result = page.Get<RouterRegistry>().Reload(retryRejected: true);
        Log.RoutersReloaded(Logger(http), result.Loaded.Count, result.Rejected.Count);
        var summary = $"Reloaded: {result.Loaded.Count} router(s) swapped in, {result.Unchanged.Count} folder(s) unchanged, {result.Rejected.Count} rejected"
            + (result.Rejected.Count > 0 ? ": " + string.Join("; ", result.Rejected.Select(r => $"{r.Folder}: {string.Join(" ", r.Errors)}")) : ".");
        await RoutersPage.HandleAsync(http, Notice(result.Rejected.Count > 0 ? "error" : "ok", summary));
    }

    internal static Markup Notice(string kind, string message)
    {
        var html = new Html();
        html.Add($"<p class=\"notice {kind}\" role=\"status\">{message}</p>");
        return Markup.Of(html);
    }

    private static ILogger Logger(HttpContext http) => http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("ExpertRouter.Console");

    private static partial class Log
    {
        // The key's hash prefix only: enough to find it in the policy file, nothing to use it with.
        [LoggerMessage(EventId = LogEvents.ConsoleKeyIssued, Level = LogLevel.Information, Message = "Console: a key was issued for tenant {Tenant} (hash {HashPrefix}…).")]
        public static partial void KeyIssued(ILogger logger, string tenant, string hashPrefix);

        [LoggerMessage(EventId = LogEvents.ConsolePoliciesReloaded, Level = LogLevel.Information, Message = "Console: policy files reloaded ({Accepted} accepted, {Rejected} rejected, {Removed} removed).")]
        public static partial void PoliciesReloaded(ILogger logger, int accepted, int rejected, int removed);

        [LoggerMessage(EventId = LogEvents.ConsoleRoutersReloaded, Level = LogLevel.Information, Message = "Console: router folders reloaded ({Loaded} swapped in, {Rejected} rejected).")]
        public static partial void RoutersReloaded(ILogger logger, int loaded, int rejected);
    }
}
