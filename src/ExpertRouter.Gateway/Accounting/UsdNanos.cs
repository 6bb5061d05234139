namespace ExpertRouter.Gateway.Accounting;

/// <summary>
/// Money is counted in whole nano-dollars: integer sums are exact in Redis and Lua (doubles up to 2^53, about
/// nine million dollars per counter), where repeated floating-point additions would drift.
/// </summary>
public static class UsdNanos
{
    public const double PerUsd = 1e9;

    /// <summary>Reservations round up so that they always cover the cost they stand for.</summary>
    public static long FromUsdCeiling(double usd)
    {
        if (usd <= 0)
        {
            return 0;
        }

        // 0.002 * 1e9 is 2000000.0000000002 in binary floating point; that is 2,000,000 nanos, not 2,000,001.
        var nanos = usd * PerUsd;
        var nearest = Math.Round(nanos);
        return (long)(Math.Abs(nanos - nearest) < 1e-6 ? nearest : Math.Ceiling(nanos));
    }

    public static long FromUsdRounded(double usd) => usd <= 0 ? 0 : (long)Math.Round(usd * PerUsd, MidpointRounding.AwayFromZero);

    public static long? FromBudget(double? usd) => usd is { } value ? (long)Math.Round(value * PerUsd) : null;

    public static double ToUsd(long nanos) => nanos / PerUsd;
}
