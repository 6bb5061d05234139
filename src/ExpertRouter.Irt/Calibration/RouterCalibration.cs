using System.Text.Json.Serialization;

namespace ExpertRouter.Irt.Calibration;

/// <summary>
/// Maps a tenant's cost target to the λ of <see cref="Core.Routing.CostAwareRanking"/>. Built offline by replaying the
/// router's own predictions on recorded prompts for a grid of λ (RouteLLM's calibrate-threshold, generalised to N
/// experts): each point says what fraction of the best expert's cost, and how many USD per 1k requests, routing
/// with that λ is expected to spend. A lookup returns the smallest λ (most quality) that stays within the target.
/// </summary>
public sealed record RouterCalibration
{
    [JsonPropertyName("source")]
    public string Source { get; init; } = "";

    [JsonPropertyName("prompts")]
    public int Prompts { get; init; }

    /// <summary>The expert with the highest mean recorded score on the calibration prompts.</summary>
    [JsonPropertyName("bestExpert")]
    public string BestExpert { get; init; } = "";

    [JsonPropertyName("bestExpertUsdPer1k")]
    public double BestExpertUsdPer1k { get; init; }

    /// <summary>Ascending in λ.</summary>
    [JsonPropertyName("points")]
    public IReadOnlyList<CalibrationPoint> Points { get; init; } = [];

    /// <summary>"At most <paramref name="fraction"/> of the cost of always using the best expert."</summary>
    public CalibrationPoint ForCostFraction(double fraction) => Lookup(fraction, inUsd: false);

    /// <summary>"At most <paramref name="usdPer1k"/> dollars per 1,000 requests."</summary>
    public CalibrationPoint ForUsdPer1k(double usdPer1k) => Lookup(usdPer1k, inUsd: true);

    /// <remarks>Every routed request with a cost target looks up its λ here: an indexed loop, no closure or enumerator.</remarks>
    private CalibrationPoint Lookup(double target, bool inUsd)
    {
        var points = Points;
        if (points.Count == 0)
        {
            throw new InvalidOperationException("The router has no calibration points.");
        }

        for (var i = 0; i < points.Count; i++)
        {
            if ((inUsd ? points[i].UsdPer1k : points[i].CostFraction) <= target)
            {
                return points[i];
            }
        }

        // Nothing meets the target: the cheapest behaviour the grid reaches.
        return points[^1];
    }
}

public sealed record CalibrationPoint
{
    [JsonPropertyName("lambda")]
    public double Lambda { get; init; }

    [JsonPropertyName("costFraction")]
    public double CostFraction { get; init; }

    [JsonPropertyName("usdPer1k")]
    public double UsdPer1k { get; init; }

    /// <summary>Mean predicted P(answers well) of the chosen expert.</summary>
    [JsonPropertyName("predictedQuality")]
    public double PredictedQuality { get; init; }
}
