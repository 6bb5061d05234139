using ExpertRouter.Core.Caching;
using ExpertRouter.Irt.Reading;

namespace ExpertRouter.Irt.Encoding;

/// <summary>
/// Turns text into <see cref="HashedFeatures"/>: lower-cased word unigrams and bigrams plus character n-grams of each
/// word (with '&lt;' '&gt;' boundary marks), each hashed with FNV-1a into <see cref="HashedNgramOptions.Buckets"/>.
/// The same code runs in training and serving, so ids always agree. Serving calls it once per routed request, so it
/// makes one pass: counts go into a per-thread table indexed by bucket, every character n-gram of a start position
/// extends the previous one's hash, and the only allocations are the two result arrays (none when they are rented).
/// </summary>
public sealed class HashedNgramFeaturizer : IPromptFeaturizer
{
    private const uint FnvOffset = 2166136261;
    private const uint FnvPrime = 16777619;
    // A character below U+0100 has a zero high byte, and FNV-1a's step over a zero byte is a multiply by the prime.
    private const uint FnvPrimeSquared = unchecked(FnvPrime * FnvPrime);
    private const uint WordSalt = 0x9E3779B1;
    private const uint CharSalt = 0x85EBCA77;

    // Longest word kept (boundary marks included); longer words are cut, as training cut them.
    private const int MarkedWordCapacity = 66;

    private readonly HashedNgramOptions _options;
    private readonly uint _buckets;
    private readonly uint _bucketMask;
    private readonly int _maxFeatures;

    /// <param name="maxFeatures">
    /// Most distinct features a prompt keeps (a router's <c>reads.maxFeatures</c>): those counted most often, the lower
    /// ids among equal counts, their weights scaled to unit norm again. Null keeps every feature.
    /// </param>
    public HashedNgramFeaturizer(HashedNgramOptions options, int? maxFeatures = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid hashed n-gram options: " + string.Join(" ", errors), nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxFeatures ?? 1, 1, nameof(maxFeatures));
        _maxFeatures = maxFeatures ?? int.MaxValue;
        _options = options;
        _buckets = (uint)options.Buckets;
        // A power-of-two table (the default) maps a hash with a mask instead of a division; same ids either way.
        _bucketMask = uint.IsPow2(_buckets) ? _buckets - 1 : 0;
    }

    public HashedNgramOptions Options => _options;

    /// <summary>The cap on distinct features per prompt; null when there is none.</summary>
    public int? MaxFeatures => _maxFeatures == int.MaxValue ? null : _maxFeatures;

    public int InputRows => _options.Buckets;

    public HashedFeatures Featurize(string text) => Featurize(new ReadText(text));

    /// <summary>
    /// The features of what a reading policy read, hashed where it lies: a head-and-tail cut gives exactly the
    /// features of the one string "head\ntail", the word n-grams that chain across the new line included.
    /// </summary>
    public HashedFeatures Featurize(in ReadText text)
    {
        var counts = BucketCounts.ForThisThread(_options.Buckets);
        try
        {
            CountNgrams(text, counts);
            var ids = new int[Math.Min(counts.Distinct, _maxFeatures)];
            var weights = new float[ids.Length];
            FeatureCap.WriteFeatures(counts, ids, weights);
            return new HashedFeatures(ids, weights);
        }
        finally
        {
            counts.Clear();
        }
    }

    public HashedFeatures Featurize(in ReadText text, PromptEmbeddings? shared) => Featurize(text);

    /// <summary>
    /// As <see cref="Featurize(in ReadText)"/>, in arrays rented from the shared pool, for a caller done with them
    /// before it returns (the managed scorer): a routed request then allocates no features.
    /// </summary>
    public RentedFeatures Rent(in ReadText text)
    {
        var counts = BucketCounts.ForThisThread(_options.Buckets);
        try
        {
            CountNgrams(text, counts);
            var features = new RentedFeatures(Math.Min(counts.Distinct, _maxFeatures));
            FeatureCap.WriteFeatures(counts, features.WritableIds, features.WritableWeights);
            return features;
        }
        finally
        {
            counts.Clear();
        }
    }

    /// <summary>
    /// Counts the n-grams of the text's first <see cref="HashedNgramOptions.MaxChars"/> characters, a cut's new line
    /// counted among them as it is in the joined string. A new line separates words, so the head and the tail are
    /// split into the same words apart as together; only the chain of word n-grams runs on from one to the other.
    /// </summary>
    private void CountNgrams(in ReadText text, BucketCounts counts)
    {
        Span<char> word = stackalloc char[MarkedWordCapacity];
        var wordNgramMax = _options.WordNgramMax;
        Span<uint> recent = wordNgramMax <= 16 ? stackalloc uint[wordNgramMax] : new uint[wordNgramMax];
        var wordsSeen = 0;
        var first = text.First;
        CountWords(first[..Math.Min(first.Length, _options.MaxChars)], counts, word, recent, ref wordsSeen);
        var tailChars = _options.MaxChars - first.Length - 1;
        if (text.IsCut && tailChars > 0)
        {
            var second = text.Second;
            CountWords(second[..Math.Min(second.Length, tailChars)], counts, word, recent, ref wordsSeen);
        }
    }

    private void CountWords(ReadOnlySpan<char> span, BucketCounts counts, Span<char> word, Span<uint> recent, ref int wordsSeen)
    {
        var i = 0;
        while (i < span.Length)
        {
            var folded = '\0';
            while (i < span.Length && (folded = Fold(span[i])) == '\0')
            {
                i++;
            }

            if (folded == '\0')
            {
                break;
            }

            var length = 0;
            word[length++] = '<';
            while (folded != '\0')
            {
                if (length < word.Length - 1)
                {
                    word[length++] = folded;
                }

                folded = ++i < span.Length ? Fold(span[i]) : '\0';
            }

            word[length++] = '>';
            CountWord(word[..length], counts, recent, wordsSeen++);
        }
    }

    /// <summary>
    /// The character lower-cased when it is a letter or a digit, else '\0' (neither): one table read for ASCII, where
    /// <see cref="char.IsLetterOrDigit(char)"/> and <see cref="char.ToLowerInvariant(char)"/> took two calls.
    /// </summary>
    private static char Fold(char c) =>
        c < 128 ? (char)AsciiFolded[c] : char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '\0';

    /// <summary>Each ASCII character lower-cased when it is a letter or a digit, else 0.</summary>
    private static ReadOnlySpan<byte> AsciiFolded =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        (byte)'0', (byte)'1', (byte)'2', (byte)'3', (byte)'4', (byte)'5', (byte)'6', (byte)'7', (byte)'8', (byte)'9', 0, 0, 0, 0, 0, 0,
        0, (byte)'a', (byte)'b', (byte)'c', (byte)'d', (byte)'e', (byte)'f', (byte)'g', (byte)'h', (byte)'i', (byte)'j', (byte)'k', (byte)'l', (byte)'m', (byte)'n', (byte)'o',
        (byte)'p', (byte)'q', (byte)'r', (byte)'s', (byte)'t', (byte)'u', (byte)'v', (byte)'w', (byte)'x', (byte)'y', (byte)'z', 0, 0, 0, 0, 0,
        0, (byte)'a', (byte)'b', (byte)'c', (byte)'d', (byte)'e', (byte)'f', (byte)'g', (byte)'h', (byte)'i', (byte)'j', (byte)'k', (byte)'l', (byte)'m', (byte)'n', (byte)'o',
        (byte)'p', (byte)'q', (byte)'r', (byte)'s', (byte)'t', (byte)'u', (byte)'v', (byte)'w', (byte)'x', (byte)'y', (byte)'z', 0, 0, 0, 0, 0,
    ];

    private void CountWord(ReadOnlySpan<char> marked, BucketCounts counts, Span<uint> recent, int wordIndex)
    {
        var wordHash = Hash(marked, WordSalt);
        counts.Add(Bucket(wordHash));
        // Word n-grams chain the hashes of the previous words (kept in a ring buffer).
        var chained = wordHash;
        for (var n = 2; n <= _options.WordNgramMax && wordIndex - (n - 2) > 0; n++)
        {
            chained = (chained ^ recent[(wordIndex - (n - 1)) % recent.Length]) * FnvPrime + (uint)n;
            counts.Add(Bucket(chained));
        }

        recent[wordIndex % recent.Length] = wordHash;
        var min = _options.CharNgramMin;
        var max = _options.CharNgramMax;
        if (min == 3 && max == 5)
        {
            CountCharNgrams3To5(marked, counts);
            return;
        }

        if (min == 4 && max == 4)
        {
            CountCharNgrams4(marked, counts);
            return;
        }

        for (var start = 0; start + min <= marked.Length; start++)
        {
            // FNV-1a is sequential, so the n-gram of length n+1 at a start continues the hash of length n.
            var hash = FnvOffset ^ CharSalt;
            var end = Math.Min(marked.Length, start + max);
            for (var k = start; k < end; k++)
            {
                hash = Step(hash, marked[k]);
                var n = k - start + 1;
                // The whole marked word is already a word feature.
                if (n >= min && n != marked.Length)
                {
                    counts.Add(Bucket(hash));
                }
            }
        }
    }

    /// <summary>
    /// The character n-grams of lengths 3 to 5 (the default and both shipped routers' options), as the general loop
    /// counts them, unrolled: no inner loop whose length changes at every word's end (12–15% less time hashing a
    /// 265-word prompt, bench/README.md).
    /// </summary>
    private void CountCharNgrams3To5(ReadOnlySpan<char> marked, BucketCounts counts)
    {
        var length = marked.Length;
        for (var start = 0; start + 3 <= length; start++)
        {
            var hash = Step(Step(Step(FnvOffset ^ CharSalt, marked[start]), marked[start + 1]), marked[start + 2]);
            // An n-gram as long as the whole marked word (only at start 0) is already its word feature.
            if (length != 3)
            {
                counts.Add(Bucket(hash));
            }

            if (start + 3 < length)
            {
                hash = Step(hash, marked[start + 3]);
                if (length != 4)
                {
                    counts.Add(Bucket(hash));
                }

                if (start + 4 < length)
                {
                    hash = Step(hash, marked[start + 4]);
                    if (length != 5)
                    {
                        counts.Add(Bucket(hash));
                    }
                }
            }
        }
    }

    /// <summary>The character 4-grams (irt-ze12's options), as the general loop counts them, without its inner loop.</summary>
    private void CountCharNgrams4(ReadOnlySpan<char> marked, BucketCounts counts)
    {
        // A marked word of four characters is its own only 4-gram, already counted as the word.
        if (marked.Length == 4)
        {
            return;
        }

        for (var start = 0; start + 4 <= marked.Length; start++)
        {
            var hash = Step(Step(Step(Step(FnvOffset ^ CharSalt, marked[start]), marked[start + 1]), marked[start + 2]), marked[start + 3]);
            counts.Add(Bucket(hash));
        }
    }

    private int Bucket(uint hash) => (int)(_bucketMask != 0 ? hash & _bucketMask : hash % _buckets);

    private static uint Hash(ReadOnlySpan<char> text, uint salt)
    {
        var hash = FnvOffset ^ salt;
        foreach (var c in text)
        {
            hash = Step(hash, c);
        }

        return hash;
    }

    /// <summary>FNV-1a over the character's two bytes, low then high: one multiply for the usual Latin-1 character.</summary>
    private static uint Step(uint hash, char c)
    {
        if (c <= 0xFF)
        {
            return (hash ^ c) * FnvPrimeSquared;
        }

        hash = (hash ^ (c & 0xFFu)) * FnvPrime;
        return (hash ^ (uint)(c >> 8)) * FnvPrime;
    }
}
