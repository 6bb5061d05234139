using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Gateway.Routing;

namespace ExpertRouter.Gateway.Tests.Routing;

public sealed class RoutingPlanTests
{
    private static ExpertScore Score(string id) => new(new ExpertDefinition { Id = id }, 0.5, 0, 0.5);

    [Fact]
    public void Narrowed_DropsFromRankingAndFallbacks_AndSaysWhy()
    {
        var ranking = new[] { Score("a"), Score("b"), Score("c") };
        var plan = new RoutingPlan { Router = "r", Ranking = ranking, Fallbacks = [ranking[0], ranking[2], ranking[1]] };

        var narrowed = plan.Narrowed(s => s.Expert.Id != "c", PassReason.OverCostCap);

        Assert.Equal(["a", "b"], narrowed.Ranking.Select(s => s.Expert.Id));
        Assert.Equal(["a", "b"], narrowed.Fallbacks.Select(s => s.Expert.Id));
        Assert.Equal([new PassedOver("c", PassReason.OverCostCap)], narrowed.PassedOver);
        Assert.Equal(3, plan.Ranking.Count);
    }

    [Fact]
    public void Narrowed_KeepingEverything_IsTheSamePlan()
    {
        var plan = new RoutingPlan { Router = "r", Ranking = [Score("a")], Fallbacks = [Score("a")] };

        Assert.Same(plan, plan.Narrowed(_ => true, PassReason.OverBudget));
    }
}
