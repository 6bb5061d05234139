using ExpertRouter.Gateway.Console.Decisions;

namespace ExpertRouter.Gateway.Tests.Console.Decisions;

public sealed class RoutingSavingsTests
{
    [Fact]
    public void Compute_AgainstTheTenantsBestExpert_PredictedAndActual()
    {
        var decisions = new DecisionSamples();
        decisions.Routed("acme", answeredBy: "cheap", promptTokens: 50, completionTokens: 200);
        decisions.Routed("acme", answeredBy: "mid", promptTokens: 50, completionTokens: 100);
        // A cache hit is the cache's saving, a refusal saved nothing: neither counts.
        decisions.Routed("acme", answeredBy: "cheap", cache: "hit");
        decisions.Routed("acme", answeredBy: "cheap", status: 429);

        var savings = Assert.Single(RoutingSavings.Compute(decisions.Log.Read()));

        Assert.Equal("acme", savings.Tenant);
        Assert.Equal("best", savings.BestExpert.Id);
        Assert.Equal(2, savings.Requests);
        // Both plans chose the cheap expert first; the best one's expected cost is 50 prompt + 100 output tokens at its prices.
        var cheapExpected = DecisionSamples.Cheap.CostUsd(50, 100);
        var bestExpected = DecisionSamples.Best.CostUsd(50, 100);
        Assert.Equal(2 * cheapExpected, savings.PredictedCostUsd, 12);
        Assert.Equal(2 * bestExpected, savings.PredictedBestCostUsd, 12);
        Assert.Equal(1 - (cheapExpected / bestExpected), savings.PredictedSavedFraction, 9);
        var charged = DecisionSamples.Cheap.CostUsd(50, 200) + DecisionSamples.Mid.CostUsd(50, 100);
        var bestAtSameTokens = DecisionSamples.Best.CostUsd(50, 200) + DecisionSamples.Best.CostUsd(50, 100);
        Assert.Equal(charged, savings.ActualCostUsd, 12);
        Assert.Equal(bestAtSameTokens, savings.ActualBestCostUsd, 12);
        Assert.Equal(bestAtSameTokens - charged, savings.ActualSavedUsd, 12);
        Assert.Equal(0.70, savings.MeanPredictedQuality, 6);
        Assert.Equal(0.90, savings.MeanBestPredictedQuality, 6);
    }

    [Fact]
    public void Compute_TenantsApart_AndNamedExpertsLeftOut()
    {
        var decisions = new DecisionSamples();
        decisions.Routed("a");
        decisions.Routed("b", answeredBy: "mid");
        decisions.Record("c", new ExpertRouter.Gateway.Routing.RoutingPlan
        {
            Router = ExpertRouter.Gateway.Routing.RoutingPlan.DirectRouter,
            Ranking = [DecisionSamples.Score(DecisionSamples.Best, double.NaN, 0)],
            Fallbacks = [DecisionSamples.Score(DecisionSamples.Best, double.NaN, 0)],
        }, 200, 1, 1, null, DecisionSamples.Score(DecisionSamples.Best, double.NaN, 0), [], null, null);

        var savings = RoutingSavings.Compute(decisions.Log.Read());

        Assert.Equal(["a", "b"], savings.Select(s => s.Tenant));
    }
}
