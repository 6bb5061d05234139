using System.Globalization;

namespace ExpertRouter.Gateway.Console.Rendering;

/// <summary>How the console writes numbers: invariant culture, UTC, units spelled out.</summary>
internal static class Format
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Dollars with enough digits that a thousandth of a cent still shows.</summary>
    public static string Usd(double usd) => usd switch
    {
        0 => "$0",
        >= 100 or <= -100 => "$" + usd.ToString("#,0.00", Invariant),
        >= 1 or <= -1 => "$" + usd.ToString("0.000", Invariant),
        _ => "$" + usd.ToString("0.######", Invariant),
    };

    public static string Usd(double? usd) => usd is { } value ? Usd(value) : "none";

    public static string Ms(double ms) => ms.ToString(ms < 10 ? "0.00" : "0.0", Invariant) + " ms";

    public static string Percent(double fraction) => double.IsFinite(fraction) ? (fraction * 100).ToString("0.0", Invariant) + "%" : "–";

    public static string Quality(double quality) => double.IsFinite(quality) ? quality.ToString("0.0000", Invariant) : "–";

    public static string Number(double value) => value.ToString("#,0.##", Invariant);

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("HH:mm:ss", Invariant);

    public static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", Invariant) + " UTC";

    public static string Clock(double unixMinutes) =>
        DateTimeOffset.FromUnixTimeSeconds((long)(unixMinutes * 60)).UtcDateTime.ToString("HH:mm", Invariant);
}
