namespace ExpertRouter.Core.Accounting;

/// <summary>
/// Money is counted in whole nano-dollars: integer sums are exact in Redis and Lua (doubles up to 2^53, about
/// nine million dollars per counter), where repeated floating-point additions would drift.
/// </summary>
public static class UsdNanos
{
    public const double PerUsd = 1e9;

    /// <summary>Reservations round up so that they always cover the cost they stand for.</summary>
    public static long FromUsdCeiling(double usd) => usd <= 0 ? 0 : (long)Math.Ceiling(usd * PerUsd);

    public static long FromUsdRounded(double usd) => usd <= 0 ? 0 : (long)Math.Round(usd * PerUsd, MidpointRounding.AwayFromZero);

    public static long? FromBudget(double? usd) => usd is { } value ? (long)Math.Floor(value * PerUsd) : null;

    public static double ToUsd(long nanos) => nanos / PerUsd;
}
