using System.Security.Cryptography;
using System.Text;
using ExpertRouter.Core.Accounting;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Core.Tenants.Policies;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Routing;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ExpertRouter.Gateway.Endpoints;

/// <summary>
/// Operator endpoints under <c>/admin</c>, opened by the key whose SHA-256 is <c>ExpertRouter:AdminKeySha256</c>:
/// tenants with their spend, a tenant's usage, policy files that were rejected, reload, accounting state.
/// They answer in ProblemDetails, not OpenAI's envelope.
/// </summary>
public static class TenantAdminEndpoints
{
    public static WebApplication MapTenantAdmin(this WebApplication app)
    {
        var admin = app.MapGroup("/admin").AddEndpointFilter(RequireAdminKey);
        admin.MapGet("/tenants", ListTenantsAsync);
        admin.MapGet("/tenants/{id}/usage", TenantUsageAsync);
        admin.MapGet("/policies/rejections", Rejections);
        admin.MapPost("/policies/reload", Reload);
        admin.MapGet("/accounting", Accounting);
        return app;
    }

    private static async Task<Ok<object[]>> ListTenantsAsync(
        ITenantDirectory directory, ITenantAccounting accounting, TimeProvider time, CancellationToken cancellationToken)
    {
        var tenants = new List<object>();
        var now = time.GetUtcNow();
        foreach (var policy in AllTenants(directory).OrderBy(t => t.Id, StringComparer.Ordinal))
        {
            var spend = await accounting.GetSpendAsync(policy.Id, cancellationToken);
            var month = await accounting.GetLedgerAsync(policy.Id, BudgetPeriod.MonthStart(now), BudgetPeriod.Day(now), cancellationToken);
            tenants.Add(new
            {
                id = policy.Id,
                keys = policy.ApiKeySha256.Count,
                router = policy.Router,
                lambda = policy.Lambda,
                budget = new
                {
                    daily_usd = policy.Budget.DailyUsd,
                    monthly_usd = policy.Budget.MonthlyUsd,
                    mode = policy.Budget.Mode.ToString().ToLowerInvariant(),
                    downgrade_to = policy.Budget.DowngradeExperts,
                },
                rate_limits = new { requests_per_minute = policy.RateLimits.RequestsPerMinute, tokens_per_minute = policy.RateLimits.TokensPerMinute },
                max_cost_per_request_usd = policy.MaxCostPerRequestUsd,
                tags = policy.Tags,
                spent_today_usd = spend.SpentTodayUsd,
                spent_this_month_usd = spend.SpentThisMonthUsd,
                reserved_usd = spend.ReservedUsd,
                cache_hits_this_month = month.Sum(e => e.CacheHits),
                saved_this_month_usd = UsdNanos.ToUsd(month.Sum(e => e.SavedNanos)),
                budget_remaining_usd = spend.RemainingUsd(policy.Budget.DailyUsd, policy.Budget.MonthlyUsd),
            });
        }

        return TypedResults.Ok(tenants.ToArray());
    }

    private static async Task<Results<JsonHttpResult<TenantUsageReport>, ProblemHttpResult>> TenantUsageAsync(
        string id, HttpRequest request, ITenantDirectory directory, ITenantAccounting accounting, TimeProvider time, CancellationToken cancellationToken)
    {
        if (AllTenants(directory).FirstOrDefault(t => t.Id == id) is not { } policy)
        {
            return TypedResults.Problem($"No tenant '{id}'.", statusCode: StatusCodes.Status404NotFound);
        }

        if (!TenantUsageReport.TryReadRange(request.Query, out var from, out var to))
        {
            return TypedResults.Problem("'start_date' and 'end_date' must be yyyy-MM-dd, in order, at most 366 days apart.", statusCode: StatusCodes.Status400BadRequest);
        }

        return TypedResults.Json(await TenantUsageReport.BuildAsync(policy, accounting, time.GetUtcNow(), from, to, cancellationToken), TenantUsageReport.Json);
    }

    private static Ok<object> Rejections(ITenantDirectory directory)
    {
        var policies = directory as PolicyDirectory;
        return TypedResults.Ok<object>(new
        {
            folder = policies?.FullPath,
            rejected_total = policies?.RejectedTotal ?? 0,
            rejections = (policies?.Rejections ?? []).Select(r => new
            {
                file = r.File,
                rejected_at = r.RejectedAt,
                kept_tenant_id = r.KeptTenantId,
                errors = r.Errors.Select(e => new { line = e.Line, column = e.Column, message = e.Message, text = e.ToString() }),
            }),
        });
    }

    private static Results<Ok<PolicyReloadResult>, ProblemHttpResult> Reload(ITenantDirectory directory) =>
        directory is PolicyDirectory policies
            ? TypedResults.Ok(policies.Reload())
            : TypedResults.Problem("Tenants come from inline configuration, not a policy folder.", statusCode: StatusCodes.Status409Conflict);

    private static Ok<object> Accounting(ITenantAccounting accounting) => TypedResults.Ok<object>(accounting switch
    {
        ResilientTenantAccounting redis => new { store = "redis", degraded = redis.IsDegraded, pending_reconciliation = redis.PendingReconciliation },
        _ => new { store = "in-process", degraded = false, pending_reconciliation = 0 },
    });

    private static IEnumerable<TenantPolicy> AllTenants(ITenantDirectory directory) => directory switch
    {
        PolicyDirectory policies => policies.Tenants,
        ConfiguredTenantDirectory configured => configured.Tenants,
        _ => [],
    };

    private static async ValueTask<object?> RequireAdminKey(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var expected = http.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value.AdminKeySha256;
        if (expected is null)
        {
            return TypedResults.Problem("The admin endpoints are off: set ExpertRouter:AdminKeySha256.", statusCode: StatusCodes.Status404NotFound);
        }

        var header = http.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : "";
        var matches = CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(ApiKeyHash.Sha256Hex(presented)), Encoding.ASCII.GetBytes(expected));
        return matches
            ? await next(context)
            : TypedResults.Problem("A valid admin key is required (Authorization: Bearer <admin key>).", statusCode: StatusCodes.Status401Unauthorized);
    }
}
