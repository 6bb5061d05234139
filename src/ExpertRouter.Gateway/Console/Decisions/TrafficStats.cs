namespace ExpertRouter.Gateway.Console.Decisions;

/// <summary>Rates and percentiles over recorded decisions, computed when a page asks (never on the request path).</summary>
public static class TrafficStats
{
    /// <summary>
    /// Traffic in the <paramref name="window"/> before <paramref name="now"/>. When the ring has overflowed inside the
    /// window, rates are taken over the stretch it still holds, so a busy gateway's rate is not understated.
    /// </summary>
    public static TrafficSummary Summarize(IReadOnlyList<Decision> newestFirst, DateTimeOffset now, TimeSpan window, bool ringOverflowed)
    {
        var since = now - window;
        var recent = newestFirst.TakeWhile(d => d.At >= since).ToList();
        var span = ringOverflowed && recent.Count > 0 && recent.Count == newestFirst.Count ? now - recent[^1].At : window;
        var seconds = Math.Max(span.TotalSeconds, 1);
        var overhead = recent.Select(d => d.OverheadMs).ToArray();
        var hits = recent.Count(d => d.IsCacheHit);
        var lookups = recent.Count(d => d.Cache is "hit" or "semantic-hit" or "miss");
        return new TrafficSummary(
            recent.Count,
            seconds,
            recent.Count / seconds,
            Percentile(overhead, 0.50),
            Percentile(overhead, 0.99),
            recent.Count == 0 ? double.NaN : recent.Count(d => d.IsError) / (double)recent.Count,
            recent.Count == 0 ? double.NaN : recent.Count(d => d.Status is >= 400 and < 500) / (double)recent.Count,
            lookups == 0 ? double.NaN : hits / (double)lookups,
            lookups);
    }

    /// <summary>One bucket per minute over the last <paramref name="minutes"/> minutes, oldest first; empty minutes included.</summary>
    public static IReadOnlyList<MinuteBucket> PerMinute(IReadOnlyList<Decision> decisions, DateTimeOffset now, int minutes)
    {
        var last = Minute(now);
        var first = last - minutes + 1;
        var buckets = Enumerable.Range(0, minutes).Select(_ => new List<Decision>()).ToArray();
        foreach (var decision in decisions)
        {
            var minute = Minute(decision.At);
            if (minute >= first && minute <= last)
            {
                buckets[minute - first].Add(decision);
            }
        }

        return [.. buckets.Select((list, i) =>
        {
            var overhead = list.Select(d => d.OverheadMs).ToArray();
            return new MinuteBucket(first + i, list.Count, list.Count(d => d.IsError), Percentile(overhead, 0.50), Percentile(overhead, 0.99), list.Sum(d => d.CostUsd));
        })];
    }

    /// <summary>Nearest-rank percentile; NaN for no values.</summary>
    public static double Percentile(double[] values, double quantile)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }

        Array.Sort(values);
        var rank = (int)Math.Ceiling(quantile * values.Length) - 1;
        return values[Math.Clamp(rank, 0, values.Length - 1)];
    }

    /// <summary>Minutes since the Unix epoch.</summary>
    public static long Minute(DateTimeOffset at) => at.ToUnixTimeSeconds() / 60;
}

public sealed record TrafficSummary(
    int Requests, double Seconds, double RequestsPerSecond, double P50OverheadMs, double P99OverheadMs, double ErrorRate, double RefusedRate, double CacheHitRate, int CacheLookups);

public sealed record MinuteBucket(long Minute, int Requests, int Errors, double P50OverheadMs, double P99OverheadMs, double SpendUsd);
