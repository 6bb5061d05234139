namespace ExpertRouter.Gateway.Capacity;

/// <summary>
/// An expert's recent times to the first byte of an answer: the last samples within a window, and their p90, which
/// the planner reads on every request. The percentile is recomputed at most every <see cref="RecomputeMs"/> (a sort
/// of a few hundred numbers, too dear per request); samples age out, so an expert passed over for being slow gets
/// traffic again once its slow samples are forgotten, and is judged afresh.
/// </summary>
internal sealed class FirstTokenLatency(int capacity, long windowMs, int minSamples)
{
    private const long RecomputeMs = 250;
    private readonly Lock _sync = new();
    private readonly double[] _ms = new double[capacity];
    private readonly long[] _at = new long[capacity];
    private int _next;
    private int _count;
    private double _p90 = double.NaN;
    private long _computedAt = long.MinValue;
    private int _computedCount = -1;

    public void Record(double milliseconds, long nowMs)
    {
        lock (_sync)
        {
            (_ms[_next], _at[_next]) = (milliseconds, nowMs);
            _next = (_next + 1) % _ms.Length;
            _count = Math.Min(_count + 1, _ms.Length);
        }
    }

    /// <summary>The p90 of the samples within the window, in milliseconds; null with fewer than the minimum.</summary>
    public double? P90(long nowMs)
    {
        if (nowMs - Volatile.Read(ref _computedAt) >= RecomputeMs || (Volatile.Read(ref _computedCount) < minSamples && Volatile.Read(ref _count) >= minSamples))
        {
            Recompute(nowMs);
        }

        var p90 = Volatile.Read(ref _p90);
        return double.IsNaN(p90) ? null : p90;
    }

    /// <summary>Percentiles of the samples within the window (for the gauges); null with fewer than the minimum.</summary>
    public (double P50, double P90, double P99)? Percentiles(long nowMs)
    {
        var recent = Recent(nowMs);
        return recent.Length < minSamples ? null : (Rank(recent, 0.5), Rank(recent, 0.9), Rank(recent, 0.99));
    }

    private void Recompute(long nowMs)
    {
        var recent = Recent(nowMs);
        Volatile.Write(ref _p90, recent.Length < minSamples ? double.NaN : Rank(recent, 0.9));
        Volatile.Write(ref _computedCount, recent.Length);
        Volatile.Write(ref _computedAt, nowMs);
    }

    private double[] Recent(long nowMs)
    {
        lock (_sync)
        {
            var recent = new double[_count];
            var kept = 0;
            for (var i = 0; i < _count; i++)
            {
                if (nowMs - _at[i] < windowMs)
                {
                    recent[kept++] = _ms[i];
                }
            }

            Array.Resize(ref recent, kept);
            Array.Sort(recent);
            return recent;
        }
    }

    /// <summary>The nearest-rank percentile of sorted values.</summary>
    private static double Rank(double[] sorted, double percentile) =>
        sorted[Math.Clamp((int)Math.Ceiling(percentile * sorted.Length) - 1, 0, sorted.Length - 1)];
}
