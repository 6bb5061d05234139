using ExpertRouter.Core.OpenAI;
using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Pipeline;

namespace ExpertRouter.Gateway.Endpoints;

/// <summary><c>GET /v1/usage</c>: the calling tenant's spend, budget left and ledger (optional <c>start_date</c>/<c>end_date</c>).</summary>
internal static class UsageEndpoint
{
    public static async Task GetAsync(HttpContext context, ITenantLedger ledger, TimeProvider time)
    {
        var feature = context.Features.GetRequiredFeature<IExpertRoutingFeature>();
        if (!TenantUsageReport.TryReadRange(context.Request.Query, out var from, out var to))
        {
            await ApiErrorWriter.WriteAsync(context, ApiError.InvalidRequest(
                "'start_date' and 'end_date' must be yyyy-MM-dd, in order, at most 366 days apart.", "start_date", "invalid_date_range"));
            return;
        }

        var report = await TenantUsageReport.BuildAsync(feature.Tenant, ledger, time.GetUtcNow(), from, to, context.RequestAborted);
        await Results.Json(report, EndpointJson.Default.TenantUsageReport).ExecuteAsync(context);
    }
}
