using ExpertRouter.Irt.Encoding;

namespace ExpertRouter.Irt.Tests.Encoding;

/// <summary>
/// The first, dictionary-based version of <see cref="HashedNgramFeaturizer"/>, kept verbatim as the oracle: the
/// shipped routers were trained on its ids and weights, so the faster featurizer must reproduce them bit for bit.
/// </summary>
internal sealed class ReferenceHashedNgramFeaturizer(HashedNgramOptions options)
{
    private const uint FnvOffset = 2166136261;
    private const uint FnvPrime = 16777619;
    private const uint WordSalt = 0x9E3779B1;
    private const uint CharSalt = 0x85EBCA77;

    private readonly HashedNgramOptions _options = options;

    public HashedFeatures Featurize(string text)
    {
        var counts = new Dictionary<int, int>();
        var span = text.AsSpan(0, Math.Min(text.Length, _options.MaxChars));
        Span<char> word = stackalloc char[66];
        var recent = new uint[_options.WordNgramMax];
        var wordsSeen = 0;
        var i = 0;
        while (i < span.Length)
        {
            while (i < span.Length && !char.IsLetterOrDigit(span[i]))
            {
                i++;
            }

            var length = 0;
            word[length++] = '<';
            while (i < span.Length && char.IsLetterOrDigit(span[i]))
            {
                if (length < word.Length - 1)
                {
                    word[length++] = char.ToLowerInvariant(span[i]);
                }

                i++;
            }

            if (length == 1)
            {
                break;
            }

            word[length++] = '>';
            AddWord(word[..length], counts, recent, wordsSeen++);
        }

        return ToFeatures(counts);
    }

    private void AddWord(ReadOnlySpan<char> marked, Dictionary<int, int> counts, uint[] recent, int wordIndex)
    {
        var wordHash = Hash(marked, WordSalt);
        Add(counts, wordHash);
        // Word n-grams chain the hashes of the previous words (kept in a ring buffer).
        var chained = wordHash;
        for (var n = 2; n <= _options.WordNgramMax && wordIndex - (n - 2) > 0; n++)
        {
            chained = (chained ^ recent[(wordIndex - (n - 1)) % recent.Length]) * FnvPrime + (uint)n;
            Add(counts, chained);
        }

        recent[wordIndex % recent.Length] = wordHash;
        for (var n = _options.CharNgramMin; n <= _options.CharNgramMax; n++)
        {
            for (var start = 0; start + n <= marked.Length; start++)
            {
                // The whole marked word is already a word feature.
                if (n == marked.Length)
                {
                    continue;
                }

                Add(counts, Hash(marked.Slice(start, n), CharSalt));
            }
        }
    }

    private void Add(Dictionary<int, int> counts, uint hash)
    {
        var id = (int)(hash % (uint)_options.Buckets);
        counts[id] = counts.TryGetValue(id, out var count) ? count + 1 : 1;
    }

    private static uint Hash(ReadOnlySpan<char> text, uint salt)
    {
        var hash = FnvOffset ^ salt;
        foreach (var c in text)
        {
            hash = (hash ^ (c & 0xFFu)) * FnvPrime;
            hash = (hash ^ (uint)(c >> 8)) * FnvPrime;
        }

        return hash;
    }

    private static HashedFeatures ToFeatures(Dictionary<int, int> counts)
    {
        var ids = new int[counts.Count];
        counts.Keys.CopyTo(ids, 0);
        Array.Sort(ids);
        var weights = new float[ids.Length];
        double norm = 0;
        for (var k = 0; k < ids.Length; k++)
        {
            var count = counts[ids[k]];
            weights[k] = count;
            norm += (double)count * count;
        }

        var scale = norm > 0 ? (float)(1.0 / Math.Sqrt(norm)) : 0f;
        for (var k = 0; k < weights.Length; k++)
        {
            weights[k] *= scale;
        }

        return new HashedFeatures(ids, weights);
    }
}
