namespace ExpertRouter.Gateway.Accounting;

/// <summary>What one request really used, from the expert's <c>usage</c> object, priced by the gateway.</summary>
public sealed record SettledUsage(string Expert, long PromptTokens, long CompletionTokens, double CostUsd)
{
    public long CostNanos => UsdNanos.FromUsdRounded(CostUsd);
}

/// <summary>
/// A request answered from the response cache: it cost the tenant nothing, and <see cref="SavedUsd"/> is what
/// <see cref="Expert"/> (the expert whose stored answer was served) would have charged for the stored usage.
/// </summary>
public sealed record CacheSaving(string Expert, long PromptTokens, long CompletionTokens, double SavedUsd)
{
    public long SavedNanos => UsdNanos.FromUsdRounded(SavedUsd);
}

/// <summary>
/// One tenant's traffic to one expert on one UTC day. <see cref="Requests"/> and the tokens count paid calls only;
/// <see cref="CacheHits"/> counts answers served from the cache in that expert's name, and <see cref="SavedNanos"/>
/// what they would have cost.
/// </summary>
public sealed record LedgerEntry(
    DateOnly Day, string Expert, long Requests, long PromptTokens, long CompletionTokens, long CostNanos, long CacheHits = 0, long SavedNanos = 0)
{
    public double CostUsd => UsdNanos.ToUsd(CostNanos);

    public double SavedUsd => UsdNanos.ToUsd(SavedNanos);

    public long TotalTokens => PromptTokens + CompletionTokens;
}

/// <summary>A tenant's spend in the current periods; amounts in nano-USD so sums stay exact.</summary>
public sealed record TenantSpend(long SpentTodayNanos, long SpentThisMonthNanos, long ReservedNanos)
{
    public static readonly TenantSpend None = new(0, 0, 0);

    public double SpentTodayUsd => UsdNanos.ToUsd(SpentTodayNanos);

    public double SpentThisMonthUsd => UsdNanos.ToUsd(SpentThisMonthNanos);

    public double ReservedUsd => UsdNanos.ToUsd(ReservedNanos);

    /// <summary>What is left of the tightest configured budget, in-flight reservations included; null when unlimited.</summary>
    public double? RemainingUsd(double? dailyBudgetUsd, double? monthlyBudgetUsd)
    {
        double? remaining = null;
        if (dailyBudgetUsd is { } daily)
        {
            remaining = daily - UsdNanos.ToUsd(SpentTodayNanos + ReservedNanos);
        }

        if (monthlyBudgetUsd is { } monthly)
        {
            var left = monthly - UsdNanos.ToUsd(SpentThisMonthNanos + ReservedNanos);
            remaining = remaining is { } r ? Math.Min(r, left) : left;
        }

        return remaining is { } value ? Math.Max(0, value) : null;
    }
}
