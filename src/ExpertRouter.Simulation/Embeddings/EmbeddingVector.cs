namespace ExpertRouter.Simulation;

/// <summary>
/// A deterministic unit vector per (model, text, seed): roughly Gaussian coordinates from the hashed text, normalised,
/// so equal texts embed identically and different texts are nearly orthogonal.
/// </summary>
internal static class EmbeddingVector
{
    public static void Fill(Span<float> vector, string model, string text, int seed)
    {
        var hash = new DeterministicHash(seed);
        hash.Add(model);
        hash.Add(text);
        var random = new SplitMix64(hash.Value);
        double squares = 0;
        for (var i = 0; i < vector.Length; i++)
        {
            // Sum of four uniforms: a cheap bell curve, enough to spread directions evenly.
            var value = (float)(random.NextDouble() + random.NextDouble() + random.NextDouble() + random.NextDouble() - 2.0);
            vector[i] = value;
            squares += value * value;
        }

        var scale = squares > 0 ? (float)(1.0 / Math.Sqrt(squares)) : 0f;
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] *= scale;
        }
    }
}
