using ExpertRouter.Irt.Encoding;

namespace ExpertRouter.Irt.Serving;

/// <summary>
/// Feature bags that touch the whole embedding table, for checking at load that two scorers of one graph agree: no
/// feature, one, a short prompt's worth and a long prompt's worth, ids spread over every row, weights of unit norm.
/// </summary>
internal static class ScorerProbes
{
    /// <summary>What the exported graph and the C# reference are held to; float rounding stays far below it.</summary>
    public const double Tolerance = 1e-5;

    public static HashedFeatures[] For(int rows)
    {
        var random = new Random(20261206);
        return [.. new[] { 0, 1, 7, 133, 2036 }.Select(count => Bag(random, rows, count))];
    }

    /// <summary>The largest absolute difference between the two scorers' probabilities over the probes (NaN counts as infinite).</summary>
    public static double LargestDifference(IPromptScorer a, IPromptScorer b, int rows)
    {
        var probes = For(rows);
        var left = new float[probes.Length * a.Experts];
        var right = new float[probes.Length * b.Experts];
        a.Score(probes, left);
        b.Score(probes, right);
        var largest = 0.0;
        for (var i = 0; i < left.Length; i++)
        {
            var difference = Math.Abs((double)left[i] - right[i]);
            largest = double.IsNaN(difference) ? double.PositiveInfinity : Math.Max(largest, difference);
        }

        return largest;
    }

    private static HashedFeatures Bag(Random random, int rows, int count)
    {
        var ids = Enumerable.Range(0, count * 2).Select(_ => random.Next(rows)).Distinct().Take(count).Order().ToArray();
        var weights = ids.Select(_ => (float)random.NextDouble() + 0.05f).ToArray();
        var norm = MathF.Sqrt(weights.Sum(w => w * w));
        return new HashedFeatures(ids, [.. weights.Select(w => w / norm)]);
    }
}
