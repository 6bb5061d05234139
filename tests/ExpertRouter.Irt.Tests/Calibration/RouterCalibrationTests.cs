using ExpertRouter.Irt.Calibration;

namespace ExpertRouter.Irt.Tests.Calibration;

public sealed class RouterCalibrationTests
{
    private static readonly RouterCalibration Grid = new()
    {
        BestExpertUsdPer1k = 10,
        Points =
        [
            new CalibrationPoint { Lambda = 0, CostFraction = 1.0, UsdPer1k = 10 },
            new CalibrationPoint { Lambda = 1, CostFraction = 0.6, UsdPer1k = 6 },
            new CalibrationPoint { Lambda = 2, CostFraction = 0.3, UsdPer1k = 3 },
            new CalibrationPoint { Lambda = 4, CostFraction = 0.1, UsdPer1k = 1 },
        ],
    };

    [Theory]
    [InlineData(1.0, 0)]
    [InlineData(0.99, 1)]
    [InlineData(0.6, 1)]
    [InlineData(0.35, 2)]
    [InlineData(0.1, 4)]
    [InlineData(0.05, 4)]
    public void ForCostFraction_IsTheSmallestLambdaWithinTheTarget_OrTheCheapestPoint(double fraction, double lambda) =>
        Assert.Equal(lambda, Grid.ForCostFraction(fraction).Lambda);

    [Theory]
    [InlineData(10, 0)]
    [InlineData(5.9, 2)]
    [InlineData(3, 2)]
    [InlineData(0.5, 4)]
    public void ForUsdPer1k_IsTheSmallestLambdaWithinTheTarget_OrTheCheapestPoint(double usdPer1k, double lambda) =>
        Assert.Equal(lambda, Grid.ForUsdPer1k(usdPer1k).Lambda);

    [Fact]
    public void NoPoints_IsAnError() =>
        Assert.Throws<InvalidOperationException>(() => new RouterCalibration().ForCostFraction(0.5));
}
