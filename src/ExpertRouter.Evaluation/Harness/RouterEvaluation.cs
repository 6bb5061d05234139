using ExpertRouter.Evaluation.Metrics;

namespace ExpertRouter.Evaluation.Harness;

/// <summary>Everything the reports say about one router on one pool and test set.</summary>
public sealed record RouterEvaluation
{
    public required string Router { get; init; }

    public required SweepResult Sweep { get; init; }

    public required QualityCostHull Hull { get; init; }

    public required double Aiq { get; init; }

    public ConfidenceInterval AiqInterval { get; init; } = ConfidenceInterval.None;

    /// <summary>Fraction of the best single expert's cost needed to match its score; null = never matched.</summary>
    public double? CostToMatchBest { get; init; }

    public ConfidenceInterval CostToMatchInterval { get; init; } = ConfidenceInterval.None;

    public double QualityAtBestCost { get; init; }

    /// <summary>RouteLLM metrics for the pool's strong/weak pair; NaN when the pair's gap is not positive.</summary>
    public double Apgr { get; init; } = double.NaN;

    public double Cpt50 { get; init; } = double.NaN;

    public double Cpt80 { get; init; } = double.NaN;

    public TimeSpan TrainTime { get; init; }

    public TimeSpan PredictTime { get; init; }

    /// <summary>
    /// Share of (setting, prompt) decisions whose chosen expert had no outcome: a fallback was scored (replay), or the
    /// decision counted only through the weights (off-policy).
    /// </summary>
    public double FallbackShare { get; init; }

    /// <summary>Off-policy only: the mean over settings of the estimate's effective sample size; NaN for replays.</summary>
    public double EffectiveSampleSize { get; init; } = double.NaN;
}

/// <summary>One pool's evaluation: reference experts and every router's result.</summary>
public sealed record PoolEvaluation(
    string PoolName,
    int TrainPrompts,
    int TestPrompts,
    IReadOnlyList<double> Lambdas,
    SingleExperts Singles,
    IReadOnlyList<RouterEvaluation> Routers)
{
    /// <summary>The test records are logged bandit feedback: every score and cost is a SNIPS estimate (<see cref="OffPolicyEstimator"/>).</summary>
    public bool OffPolicy { get; init; }
}
