namespace ExpertRouter.Evaluation.Metrics;

/// <summary>One router setting on the quality–cost plane: USD per 1,000 requests and mean score.</summary>
public readonly record struct OperatingPoint(double CostPer1K, double Score);
