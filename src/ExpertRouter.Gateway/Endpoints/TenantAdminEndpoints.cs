using System.Security.Cryptography;
using System.Text;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Tenants;
using ExpertRouter.Policies;
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

    private static async Task<JsonHttpResult<AdminTenant[]>> ListTenantsAsync(
        ITenantDirectory directory, ITenantLedger ledger, TimeProvider time, CancellationToken cancellationToken)
    {
        var tenants = new List<AdminTenant>();
        var now = time.GetUtcNow();
        foreach (var policy in AllTenants(directory).OrderBy(t => t.Id, StringComparer.Ordinal))
        {
            var spend = await ledger.GetSpendAsync(policy.Id, cancellationToken);
            var month = await ledger.GetLedgerAsync(policy.Id, BudgetPeriod.MonthStart(now), BudgetPeriod.Day(now), cancellationToken);
            tenants.Add(new AdminTenant(
                policy.Id,
                policy.ApiKeySha256.Count,
                policy.Router,
                policy.Lambda,
                new AdminTenantBudget(
                    policy.Budget.DailyUsd, policy.Budget.MonthlyUsd, policy.Budget.Mode.ToString().ToLowerInvariant(), policy.Budget.DowngradeExperts),
                new AdminTenantRateLimits(policy.RateLimits.RequestsPerMinute, policy.RateLimits.TokensPerMinute),
                policy.MaxCostPerRequestUsd,
                policy.Tags,
                spend.SpentTodayUsd,
                spend.SpentThisMonthUsd,
                spend.ReservedUsd,
                month.Sum(e => e.CacheHits),
                UsdNanos.ToUsd(month.Sum(e => e.SavedNanos)),
                spend.RemainingUsd(policy.Budget.DailyUsd, policy.Budget.MonthlyUsd)));
        }

        return TypedResults.Json(tenants.ToArray(), EndpointJson.Default.AdminTenantArray);
    }

    private static async Task<Results<JsonHttpResult<TenantUsageReport>, ProblemHttpResult>> TenantUsageAsync(
        string id, HttpRequest request, ITenantDirectory directory, ITenantLedger ledger, TimeProvider time, CancellationToken cancellationToken)
    {
        if (AllTenants(directory).FirstOrDefault(t => t.Id == id) is not { } policy)
        {
            return TypedResults.Problem($"No tenant '{id}'.", statusCode: StatusCodes.Status404NotFound);
        }

        if (!TenantUsageReport.TryReadRange(request.Query, out var from, out var to))
        {
            return TypedResults.Problem("'start_date' and 'end_date' must be yyyy-MM-dd, in order, at most 366 days apart.", statusCode: StatusCodes.Status400BadRequest);
        }

        return TypedResults.Json(
            await TenantUsageReport.BuildAsync(policy, ledger, time.GetUtcNow(), from, to, cancellationToken), EndpointJson.Default.TenantUsageReport);
    }

    private static JsonHttpResult<AdminRejections> Rejections(ITenantDirectory directory)
    {
        var policies = directory as PolicyDirectory;
        return TypedResults.Json(
            new AdminRejections(
                policies?.FullPath,
                policies?.RejectedTotal ?? 0,
                [.. (policies?.Rejections ?? []).Select(r => new AdminRejection(
                    r.File,
                    r.RejectedAt,
                    r.KeptTenantId,
                    [.. r.Errors.Select(e => new AdminPolicyError(e.Line, e.Column, e.Message, e.ToString()))]))]),
            EndpointJson.Default.AdminRejections);
    }

    private static Results<JsonHttpResult<PolicyReloadResult>, ProblemHttpResult> Reload(ITenantDirectory directory) =>
        directory is PolicyDirectory policies
            ? TypedResults.Json(policies.Reload(), EndpointJson.Default.PolicyReloadResult)
            : TypedResults.Problem("Tenants come from inline configuration, not a policy folder.", statusCode: StatusCodes.Status409Conflict);

    private static JsonHttpResult<AdminAccounting> Accounting(ITenantAccounting accounting) => TypedResults.Json(
        accounting switch
        {
            ResilientTenantAccounting redis => new AdminAccounting("redis", redis.IsDegraded, redis.PendingReconciliation),
            _ => new AdminAccounting("in-process", false, 0),
        },
        EndpointJson.Default.AdminAccounting);

    private static IEnumerable<TenantPolicy> AllTenants(ITenantDirectory directory) => directory switch
    {
        PolicyDirectory policies => policies.Tenants,
        ConfiguredTenantDirectory configured => configured.Tenants,
        _ => [],
    };

    internal static async ValueTask<object?> RequireAdminKey(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
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

internal sealed record AdminTenant(
    string Id,
    int Keys,
    string Router,
    double Lambda,
    AdminTenantBudget Budget,
    AdminTenantRateLimits RateLimits,
    double? MaxCostPerRequestUsd,
    IReadOnlyDictionary<string, string> Tags,
    double SpentTodayUsd,
    double SpentThisMonthUsd,
    double ReservedUsd,
    long CacheHitsThisMonth,
    double SavedThisMonthUsd,
    double? BudgetRemainingUsd);

internal sealed record AdminTenantBudget(double? DailyUsd, double? MonthlyUsd, string Mode, IReadOnlyList<string> DowngradeTo);

internal sealed record AdminTenantRateLimits(int? RequestsPerMinute, int? TokensPerMinute);

internal sealed record AdminRejections(string? Folder, long RejectedTotal, IReadOnlyList<AdminRejection> Rejections);

internal sealed record AdminRejection(string File, DateTimeOffset RejectedAt, string? KeptTenantId, IReadOnlyList<AdminPolicyError> Errors);

internal sealed record AdminPolicyError(int Line, int Column, string Message, string Text);

internal sealed record AdminAccounting(string Store, bool Degraded, int PendingReconciliation);
