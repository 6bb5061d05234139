using System.Globalization;
using ExpertRouter.Evaluation.Metrics;

namespace ExpertRouter.Evaluation.Reports;

/// <summary>Number formatting shared by the Markdown and HTML reports (invariant culture, "–" for unknown).</summary>
internal static class ReportFormat
{
    public static string F(double value, int digits = 3) =>
        double.IsNaN(value) ? "–" : double.IsInfinity(value) ? "never" : value.ToString("F" + digits, CultureInfo.InvariantCulture);

    public static string Percent(double? fraction) =>
        fraction is { } f && double.IsFinite(f) ? (f * 100).ToString("F0", CultureInfo.InvariantCulture) + "%" : "never";

    public static string Interval(ConfidenceInterval ci, int digits = 3) =>
        ci.IsKnown ? $"[{F(ci.Low, digits)}, {F(ci.High, digits)}]" : "";

    public static string PercentInterval(ConfidenceInterval ci) =>
        ci.IsKnown ? $"[{Percent(ci.Low)}, {Percent(ci.High)}]" : "";

    public static string Money(double usdPer1K) => "$" + usdPer1K.ToString(usdPer1K < 1 ? "F4" : "F3", CultureInfo.InvariantCulture);

    public static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture);
}
