using ExpertRouter.Evaluation.Metrics;

namespace ExpertRouter.Evaluation.Tests.Metrics;

public sealed class StrongWeakCurveTests
{
    [Fact]
    public void Build_PerfectRouterRecoversTheGapFirst()
    {
        // Strong right on prompts 0 and 1, weak right on 2 only; gap = 2/4 - 1/4 = 1/4.
        double[] strong = [1, 1, 1, 0];
        double[] weak = [0, 0, 1, 0];
        double[] margin = [0.9, 0.8, 0.1, 0.0];

        var curve = StrongWeakCurve.Build(margin, strong, weak)!;

        Assert.Equal([0, 0.25, 0.5, 0.75, 1], curve.CallFraction);
        Assert.Equal([0, 0.5, 1, 1, 1], curve.Pgr);
        // Trapezoids: .25·(0+.5)/2 + .25·(.5+1)/2 + .25 + .25 = 0.0625 + 0.1875 + 0.5.
        Assert.Equal(0.75, curve.Apgr(), 10);
        Assert.Equal(0.25, curve.Cpt(0.5), 10);
        Assert.Equal(0.4, curve.Cpt(0.8), 10);
    }

    [Fact]
    public void Build_ConstantMarginIsOneTieGroupWithApgrOneHalf()
    {
        double[] strong = [1, 1, 0, 1];
        double[] weak = [0, 1, 0, 0];

        var curve = StrongWeakCurve.Build([0.3, 0.3, 0.3, 0.3], strong, weak)!;

        Assert.Equal([0, 1], curve.CallFraction);
        Assert.Equal(0.5, curve.Apgr(), 10);
        Assert.Equal(0.5, curve.Cpt(0.5), 10);
    }

    [Fact]
    public void Build_ReturnsNullWhenStrongIsNotBetter()
    {
        Assert.Null(StrongWeakCurve.Build([1, 0], [0, 1], [1, 0]));
    }
}
