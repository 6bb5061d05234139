namespace ExpertRouter.Evaluation.Metrics;

/// <summary>A percentile interval; bounds are +∞ when the statistic was unreachable in enough resamples.</summary>
public readonly record struct ConfidenceInterval(double Low, double High)
{
    public static ConfidenceInterval None => new(double.NaN, double.NaN);

    public bool IsKnown => !double.IsNaN(Low);
}

/// <summary>Percentile bootstrap over test prompts: resample prompts with replacement, recompute the statistic.</summary>
public static class Bootstrap
{
    public static ConfidenceInterval Interval(
        int promptCount, int samples, int seed, Func<int[], double> statistic, double level = 0.95)
    {
        if (samples <= 0 || promptCount == 0)
        {
            return ConfidenceInterval.None;
        }

        var random = new Random(seed);
        var values = new double[samples];
        var indices = new int[promptCount];
        for (var s = 0; s < samples; s++)
        {
            for (var i = 0; i < promptCount; i++)
            {
                indices[i] = random.Next(promptCount);
            }

            var value = statistic(indices);
            values[s] = double.IsNaN(value) ? double.PositiveInfinity : value;
        }

        Array.Sort(values);
        var tail = (1 - level) / 2;
        return new ConfidenceInterval(Percentile(values, tail), Percentile(values, 1 - tail));
    }

    /// <summary>Linear interpolation between closest ranks over sorted values.</summary>
    public static double Percentile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = (int)Math.Ceiling(position);
        if (low == high || double.IsInfinity(sorted[high]))
        {
            return sorted[high];
        }

        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }

    public static double Mean(double[] values, int[] indices)
    {
        var sum = 0.0;
        foreach (var i in indices)
        {
            sum += values[i];
        }

        return sum / indices.Length;
    }
}
