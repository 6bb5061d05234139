namespace ExpertRouter.Core.Caching;

/// <summary>
/// A deterministic, model-free embedding: lower-cased words and character trigrams hashed into a fixed number of
/// signed buckets, then L2-normalised. It sees spelling, not meaning, which suits a cache that must only reuse
/// answers for prompts that are nearly the same text; a learned encoder can replace it behind <see cref="ITextEmbedder"/>.
/// </summary>
public sealed class HashedTextEmbedder(int dimensions = 256) : ITextEmbedder
{
    private const float WordWeight = 1.0f;
    private const float TrigramWeight = 0.5f;

    public string Name => $"hashed-ngrams-{Dimensions}";

    public int Dimensions { get; } = dimensions > 0 ? dimensions : throw new ArgumentOutOfRangeException(nameof(dimensions));

    public void Embed(ReadOnlySpan<char> text, Span<float> destination)
    {
        if (destination.Length != Dimensions)
        {
            throw new ArgumentException($"Destination must hold {Dimensions} floats.", nameof(destination));
        }

        destination.Clear();
        Span<char> word = stackalloc char[64];
        var length = 0;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                if (length < word.Length)
                {
                    word[length++] = char.ToLowerInvariant(c);
                }

                continue;
            }

            AddWord(word[..length], destination);
            length = 0;
        }

        AddWord(word[..length], destination);
        Normalise(destination);
    }

    private void AddWord(ReadOnlySpan<char> word, Span<float> destination)
    {
        if (word.IsEmpty)
        {
            return;
        }

        Add(Hash(word, 0x9E37u), WordWeight, destination);
        // Trigrams over the word with boundary marks, so "colour"/"color" and typos stay close.
        Span<char> padded = stackalloc char[word.Length + 2];
        padded[0] = '<';
        word.CopyTo(padded[1..]);
        padded[^1] = '>';
        for (var i = 0; i + 3 <= padded.Length; i++)
        {
            Add(Hash(padded.Slice(i, 3), 0x85EBu), TrigramWeight, destination);
        }
    }

    private void Add(uint hash, float weight, Span<float> destination)
    {
        // Signed hashing keeps collisions from only ever adding similarity.
        var sign = (hash & 0x8000_0000u) != 0 ? -1f : 1f;
        destination[(int)((hash & 0x7FFF_FFFFu) % (uint)Dimensions)] += sign * weight;
    }

    private static uint Hash(ReadOnlySpan<char> text, uint seed)
    {
        // FNV-1a: stable across processes and runtimes, unlike string.GetHashCode.
        var hash = 2166136261u ^ seed;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }

    private static void Normalise(Span<float> vector)
    {
        var sum = 0f;
        foreach (var v in vector)
        {
            sum += v * v;
        }

        if (sum > 0)
        {
            var scale = 1f / MathF.Sqrt(sum);
            for (var i = 0; i < vector.Length; i++)
            {
                vector[i] *= scale;
            }
        }
    }
}
