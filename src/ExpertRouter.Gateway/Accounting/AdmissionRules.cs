namespace ExpertRouter.Gateway.Accounting;

/// <summary>The admission rules both stores apply (the Redis store applies them again inside its Lua script).</summary>
internal static class AdmissionRules
{
    /// <summary>Which per-minute limit this request would break, or null.</summary>
    public static string? RateLimit(AdmissionRequest request, long windowRequests, long windowTokens)
    {
        if (request.RequestsPerMinute is { } rpm && windowRequests + 1 > rpm)
        {
            return "requests";
        }

        return request.TokensPerMinute is { } tpm && windowTokens + request.EstimatedTokens > tpm ? "tokens" : null;
    }

    public static bool ExceedsBudget(AdmissionRequest request, TenantSpend spend, long amountNanos) =>
        (UsdNanos.FromBudget(request.DailyBudgetUsd) is { } daily && spend.SpentTodayNanos + spend.ReservedNanos + amountNanos > daily)
        || (UsdNanos.FromBudget(request.MonthlyBudgetUsd) is { } monthly && spend.SpentThisMonthNanos + spend.ReservedNanos + amountNanos > monthly);

    public static Admission Limited(TenantSpend spend, string limitedBy, DateTimeOffset now) =>
        new(AdmissionOutcome.RateLimited, null, spend) { RetryAfter = BudgetPeriod.UntilNextWindow(now), LimitedBy = limitedBy };
}
