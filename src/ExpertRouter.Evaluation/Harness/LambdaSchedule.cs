using ExpertRouter.Core.Experts;

namespace ExpertRouter.Evaluation.Harness;

/// <summary>
/// The λ settings of a sweep, ordered from cheapest (λ so large only cost matters) to highest quality (λ = 0), the
/// order route-batch promises. The middle settings are log-spaced over the range where trades between the pool's
/// experts happen: from 1 / (cheapest expert's cost per 1k) — a whole quality point for its full price — down to
/// 0.005 / (dearest expert's cost per 1k) — half a point for the dearest price.
/// </summary>
public static class LambdaSchedule
{
    /// <summary>Stands in for λ = ∞ (a finite value keeps free experts' utility a number rather than NaN).</summary>
    public const double CostOnly = 1e9;

    public static double[] Create(IReadOnlyList<ExpertDefinition> experts, double promptTokens, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        var costsPer1K = experts
            .Select(e => e.CostUsd((long)Math.Ceiling(promptTokens), e.ExpectedOutputTokens) * 1000.0)
            .Where(c => c > 0)
            .ToArray();
        var cheapest = costsPer1K.Length == 0 ? 1.0 : costsPer1K.Min();
        var dearest = costsPer1K.Length == 0 ? 1.0 : costsPer1K.Max();
        var high = 1.0 / cheapest;
        var low = 0.005 / dearest;
        var lambdas = new double[count];
        lambdas[0] = CostOnly;
        lambdas[count - 1] = 0;
        var middle = count - 2;
        for (var i = 0; i < middle; i++)
        {
            var t = middle == 1 ? 0.5 : (double)i / (middle - 1);
            lambdas[i + 1] = Math.Exp(Math.Log(high) + t * (Math.Log(low) - Math.Log(high)));
        }

        return lambdas;
    }
}
