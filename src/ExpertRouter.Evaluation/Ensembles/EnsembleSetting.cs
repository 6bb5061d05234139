using ExpertRouter.Core.Ensembles;
using ExpertRouter.Evaluation.Metrics;

namespace ExpertRouter.Evaluation.Ensembles;

/// <summary>
/// One ensemble configuration: the mode (null: the router's first choice alone, the baseline), how many experts vote,
/// the fan-out margin and the router's λ.
/// </summary>
public sealed record EnsembleSetting(EnsembleMode? Mode, int K, double Margin, double Lambda);

/// <summary>
/// A setting's result on the test prompts. <see cref="SingleAtSameCost"/> is the single-routing λ curve's upper hull
/// at this setting's cost (NaN when cheaper than any single-routing point): the quality one router call per prompt
/// buys for the same money; <see cref="SingleCostForSameQuality"/> is what the hull pays to reach this setting's
/// quality (null when single routing never reaches it).
/// </summary>
public sealed record EnsembleResult(
    EnsembleSetting Setting,
    OperatingPoint Point,
    double FanOutShare,
    double MeanCalls,
    double ExtractedShare,
    double SingleAtSameCost,
    double? SingleCostForSameQuality = null)
{
    public double GainOverSingle => Point.Score - SingleAtSameCost;
}

public sealed record EnsembleEvaluation(
    string Name,
    int Prompts,
    string Extractor,
    QualityCostHull SingleRoutingHull,
    IReadOnlyList<OperatingPoint> SingleRoutingPoints,
    IReadOnlyList<EnsembleResult> Results);
