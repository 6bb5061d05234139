using System.Globalization;

namespace ExpertRouter.Soak;

/// <summary>
/// Prints the window table and the verdict. The first window holds warm-up (JIT, pools) and is left out. Memory:
/// the last window's RSS against the second's (a leak only grows). Latency: the median p99 of the later half of the
/// windows against that of the earlier half, so one window disturbed by a neighbour on a shared machine is not
/// mistaken for a trend.
/// </summary>
internal static class SoakReport
{
    public const double RssTolerance = 0.15;
    public const double P99Tolerance = 0.30;

    public static bool Print(IReadOnlyList<SoakWindow> windows, TextWriter output)
    {
        output.WriteLine("| window | requests | 5xx | 4xx | transport failures | p50 ms | p99 ms | gateway RSS MiB |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var w in windows)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {w.Index} | {w.Requests} | {w.ServerErrors} | {w.ClientErrors} | {w.Failures} | {w.P50Ms:F1} | {w.P99Ms:F1} | {w.RssMiB:F1} |"));
        }

        if (windows.Count < 3)
        {
            output.WriteLine("verdict: too short to judge (need at least 3 windows)");
            return false;
        }

        var rssGrowth = (windows[^1].RssMiB - windows[1].RssMiB) / windows[1].RssMiB;
        var measured = windows.Skip(1).ToArray();
        var half = measured.Length / 2;
        var (earlier, later) = (Median(measured[..half]), Median(measured[half..]));
        var p99Growth = (later - earlier) / earlier;
        var lastVsSecond = (windows[^1].P99Ms - windows[1].P99Ms) / windows[1].P99Ms;
        var flat = rssGrowth <= RssTolerance && p99Growth <= P99Tolerance;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"verdict: {(flat ? "FLAT" : "NOT FLAT")} (RSS last vs window 2: {rssGrowth:+0.0%;-0.0%}, limit +{RssTolerance:0%}; "
            + $"median p99 later vs earlier half: {earlier:F1} -> {later:F1} ms, {p99Growth:+0.0%;-0.0%}, limit +{P99Tolerance:0%}; "
            + $"p99 last vs window 2: {lastVsSecond:+0.0%;-0.0%})"));
        return flat;
    }

    private static double Median(SoakWindow[] windows)
    {
        var p99 = windows.Select(w => w.P99Ms).Order().ToArray();
        return p99.Length % 2 == 1 ? p99[p99.Length / 2] : (p99[(p99.Length / 2) - 1] + p99[p99.Length / 2]) / 2;
    }
}
