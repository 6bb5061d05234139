using ExpertRouter.Core.Experts;

namespace ExpertRouter.Core.Routing;

/// <summary>Candidates ranked best first; the head is the choice and the rest is the fallback order.</summary>
public sealed record RoutingDecision(string Router, IReadOnlyList<ExpertScore> Ranking)
{
    public ExpertScore Chosen => Ranking[0];
}

public readonly record struct ExpertScore(
    ExpertDefinition Expert,
    double PredictedQuality,
    double ExpectedCostUsd,
    double Utility);
