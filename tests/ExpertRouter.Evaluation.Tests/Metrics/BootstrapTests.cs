using ExpertRouter.Evaluation.Metrics;

namespace ExpertRouter.Evaluation.Tests.Metrics;

public sealed class BootstrapTests
{
    [Fact]
    public void Percentile_InterpolatesBetweenRanks()
    {
        double[] sorted = [1, 2, 3, 4, 5];

        Assert.Equal(3, Bootstrap.Percentile(sorted, 0.5), 10);
        Assert.Equal(1.2, Bootstrap.Percentile(sorted, 0.05), 10);
        Assert.Equal(5, Bootstrap.Percentile(sorted, 1), 10);
    }

    [Fact]
    public void Interval_OfAMeanCoversTheMeanAndIsDeterministic()
    {
        var values = Enumerable.Range(0, 100).Select(i => (double)(i % 2)).ToArray();

        var first = Bootstrap.Interval(values.Length, 300, 7, idx => Bootstrap.Mean(values, idx));
        var second = Bootstrap.Interval(values.Length, 300, 7, idx => Bootstrap.Mean(values, idx));

        Assert.Equal(first, second);
        Assert.InRange(first.Low, 0.35, 0.5);
        Assert.InRange(first.High, 0.5, 0.65);
    }

    [Fact]
    public void Interval_UnreachableStatisticBecomesInfinity()
    {
        var interval = Bootstrap.Interval(10, 20, 1, _ => double.NaN);

        Assert.True(double.IsPositiveInfinity(interval.High));
    }
}
