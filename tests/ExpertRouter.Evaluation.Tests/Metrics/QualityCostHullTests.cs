using ExpertRouter.Evaluation.Metrics;

namespace ExpertRouter.Evaluation.Tests.Metrics;

public sealed class QualityCostHullTests
{
    // Points: (1, 0.5), (2, 0.6) under the chord from (1,.5) to (3,.9), (3, 0.9), (4, 0.8) past the best.
    private static readonly OperatingPoint[] Points = [new(2, 0.6), new(1, 0.5), new(3, 0.9), new(4, 0.8)];

    [Fact]
    public void Build_DropsPointsUnderTheHullAndAfterTheBest()
    {
        var hull = QualityCostHull.Build(Points);

        Assert.Equal([new OperatingPoint(1, 0.5), new OperatingPoint(3, 0.9)], hull.Vertices);
    }

    [Fact]
    public void ScoreAt_InterpolatesIsNaNBelowAndFlatAbove()
    {
        var hull = QualityCostHull.Build(Points);

        Assert.Equal(0.7, hull.ScoreAt(2), 10);
        Assert.True(double.IsNaN(hull.ScoreAt(0.5)));
        Assert.Equal(0.9, hull.ScoreAt(10), 10);
    }

    [Fact]
    public void Aiq_IsMeanHullScoreOverThePoolWindow()
    {
        var hull = QualityCostHull.Build(Points);

        // Window [0, 4]: 0 on [0,1], trapezoid (0.5+0.9)/2·2 = 1.4 on [1,3], 0.9 on [3,4] → 2.3 / 4.
        Assert.Equal(2.3 / 4, QualityCostMetrics.Aiq(hull, 0, 4), 10);
        // Window [1, 3]: 1.4 / 2.
        Assert.Equal(0.7, QualityCostMetrics.Aiq(hull, 1, 3), 10);
    }

    [Fact]
    public void CostToMatch_InterpolatesAlongTheHullAsFractionOfReferenceCost()
    {
        var hull = QualityCostHull.Build(Points);

        // Score 0.8 is reached 3/4 of the way from cost 1 to 3: cost 2.5; reference costs 5.
        Assert.Equal(0.5, QualityCostMetrics.CostToMatch(hull, new OperatingPoint(5, 0.8))!.Value, 10);
        Assert.Null(QualityCostMetrics.CostToMatch(hull, new OperatingPoint(5, 0.95)));
        Assert.Equal(0.2, QualityCostMetrics.CostToMatch(hull, new OperatingPoint(5, 0.4))!.Value, 10);
    }

    [Fact]
    public void QualityAtCost_ReadsTheHullAtTheReferenceCost()
    {
        var hull = QualityCostHull.Build(Points);

        Assert.Equal(0.8, QualityCostMetrics.QualityAtCost(hull, new OperatingPoint(2.5, 0.7)), 10);
    }

    [Fact]
    public void Build_SinglePointHullIsFlat()
    {
        var hull = QualityCostHull.Build([new OperatingPoint(2, 0.4)]);

        Assert.Single(hull.Vertices);
        Assert.Equal(0.4 * 2 / 3, QualityCostMetrics.Aiq(hull, 1, 4), 10);
    }
}
