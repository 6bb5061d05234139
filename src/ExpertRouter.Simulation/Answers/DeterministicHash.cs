namespace ExpertRouter.Simulation;

/// <summary>
/// FNV-1a over UTF-16 text: stable across processes and runtimes (unlike <see cref="string.GetHashCode()"/>), which
/// is what makes the same (model, messages, seed) give the same answer on every run.
/// </summary>
internal struct DeterministicHash
{
    private const ulong Prime = 1099511628211UL;
    private ulong value;

    public DeterministicHash(int seed)
    {
        value = 14695981039346656037UL;
        Add(seed);
    }

    public readonly ulong Value => value;

    public void Add(int number)
    {
        for (var shift = 0; shift < 32; shift += 8)
        {
            value = (value ^ (byte)(number >> shift)) * Prime;
        }
    }

    public void Add(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            value = (value ^ (c & 0xFFu)) * Prime;
            value = (value ^ (uint)(c >> 8)) * Prime;
        }

        // Separates "ab"+"c" from "a"+"bc".
        value = (value ^ 0xFFu) * Prime;
    }
}

/// <summary>SplitMix64: a tiny, fast, well-mixed generator seeded from a <see cref="DeterministicHash"/>.</summary>
internal struct SplitMix64(ulong seed)
{
    private ulong state = seed;

    public ulong Next()
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, bound).</summary>
    public int NextInt(int bound) => bound <= 1 ? 0 : (int)(Next() % (ulong)bound);

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));
}
