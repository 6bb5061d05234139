using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Reading;
using ExpertRouter.Irt.Tests.Reading;

namespace ExpertRouter.Irt.Tests.Encoding;

public sealed class HashedNgramFeaturizerTests
{
    private static readonly string[] Prompts =
    [
        "",
        "   ?!  ",
        "a",
        "ab",
        "What is 17 * 23? Answer with a number.",
        "def f(x): return x[::-1]\nassert f('abc') == ??",
        "Question: Which gas do plants absorb? Options: (A) O2 (B) CO2",
        "ÄÖÜ straße İstanbul ΣΊΣΥΦΟΣ 日本語の文 emoji 😀 mixed😀text",
        "the the the the the the cat cat sat",
        new string('x', 200) + " " + new string('y', 64) + " " + new string('z', 65),
        string.Join(' ', Enumerable.Range(0, 3000).Select(i => "w" + (i * 7919 % 1000))),
    ];

    public static TheoryData<int, int, int, int, int> OptionSets => new()
    {
        // buckets, wordNgramMax, charNgramMin, charNgramMax, maxChars
        { 1 << 14, 2, 3, 5, 6000 },
        { 1000, 3, 2, 4, 500 },
        { 97, 1, 1, 1, 50 },
        { 1 << 10, 4, 3, 7, 6000 },
    };

    [Theory]
    [MemberData(nameof(OptionSets))]
    public void Featurize_FixedPrompts_MatchesReferenceBitForBit(int buckets, int wordMax, int charMin, int charMax, int maxChars)
    {
        var options = new HashedNgramOptions { Buckets = buckets, WordNgramMax = wordMax, CharNgramMin = charMin, CharNgramMax = charMax, MaxChars = maxChars };
        AssertSameAsReference(options, Prompts);
    }

    [Fact]
    public void Featurize_RandomText_MatchesReferenceBitForBit()
    {
        var random = new Random(20261123);
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789     .,;:!?-_'\"\n\tàéîõüßΣλЖж中文😀";
        var prompts = Enumerable.Range(0, 300)
            .Select(_ => new string(Enumerable.Range(0, random.Next(0, 400)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray()))
            .ToArray();
        AssertSameAsReference(new HashedNgramOptions(), prompts);
        AssertSameAsReference(new HashedNgramOptions { Buckets = 4093, WordNgramMax = 3 }, prompts);
        // The 4-grams' own unrolled loop, and the general loop of any other range.
        AssertSameAsReference(new HashedNgramOptions { CharNgramMin = 4, CharNgramMax = 4 }, prompts);
        AssertSameAsReference(new HashedNgramOptions { CharNgramMin = 2, CharNgramMax = 6, WordNgramMax = 1 }, prompts);
    }

    [Fact]
    public void Featurize_ReadInPlace_GivesExactlyTheFeaturesOfTheJoinedString_AllocatedOrRented()
    {
        var conversations = ReadingCases.Conversations();
        HashedNgramOptions[] optionSets =
        [
            new(),
            new() { MaxChars = 40 },
            new() { Buckets = 4093, WordNgramMax = 3, MaxChars = 41 },
            new() { CharNgramMin = 4, CharNgramMax = 4, MaxChars = 40 },
        ];
        var cuts = 0;
        foreach (var options in optionSets)
        {
            var reference = new ReferenceHashedNgramFeaturizer(options);
            foreach (var maxFeatures in new int?[] { null, 1, 17, 256 })
            {
                var featurizer = new HashedNgramFeaturizer(options, maxFeatures);
                // The router bounds its reader by the featurizer's characters; a reader without the bound leaves the
                // featurizer's own cut to fall in the tail, on the new line or in the head.
                foreach (var readerMaxChars in new[] { options.MaxChars, int.MaxValue })
                {
                    foreach (var policy in ReadingCases.Policies().Where(p => p.MaxTokens is null or 3 or 16 or 128))
                    {
                        var reader = new PromptReader(policy, readerMaxChars);
                        foreach (var conversation in conversations)
                        {
                            var inPlace = reader.ReadInPlace(conversation);
                            var joined = inPlace.ToString();
                            var expected = featurizer.Featurize(joined);

                            AssertSame(expected, featurizer.Featurize(inPlace));
                            AssertSame(expected, featurizer.Featurize(inPlace, shared: null));
                            using (var rented = featurizer.Rent(inPlace))
                            {
                                Assert.Equal(expected.Ids, rented.Ids.ToArray());
                                Assert.Equal(expected.Weights.Select(BitConverter.SingleToInt32Bits), rented.Weights.ToArray().Select(BitConverter.SingleToInt32Bits));
                            }

                            if (maxFeatures is null)
                            {
                                AssertSame(reference.Featurize(joined), expected);
                            }

                            cuts += inPlace.IsCut ? 1 : 0;
                        }
                    }
                }
            }
        }

        Assert.True(cuts > 1000, $"{cuts} head-and-tail cuts");
    }

    [Fact]
    public void Featurize_HeadAndTailCut_CountsTheWordBigramAcrossTheNewLine()
    {
        var reader = new PromptReader(new ReadingPolicy { MaxTokens = 4, Truncate = ReadingPolicy.HeadAndTail });
        var featurizer = new HashedNgramFeaturizer(new HashedNgramOptions());
        var inPlace = reader.ReadInPlace(new ExpertRouter.Core.Routing.SingleUserMessage("alpha beta gamma delta epsilon zeta eta theta"));

        var cut = featurizer.Featurize(inPlace);
        var apart = featurizer.Featurize("alpha beta").Ids.Union(featurizer.Featurize("eta theta").Ids).ToHashSet();

        Assert.True(inPlace.IsCut);
        AssertSame(featurizer.Featurize("alpha beta\neta theta"), cut);
        // "beta eta": hashed from the head's last word and the tail's first, in neither half alone.
        Assert.Contains(cut.Ids, id => !apart.Contains(id));
    }

    [Fact]
    public void Featurize_TwoTableSizesOnOneThread_EachMatchesReference()
    {
        // The per-thread count table is swapped when a featurizer with another bucket count runs in between.
        var small = new HashedNgramOptions { Buckets = 256 };
        var large = new HashedNgramOptions();
        for (var round = 0; round < 3; round++)
        {
            AssertSameAsReference(small, Prompts);
            AssertSameAsReference(large, Prompts);
        }
    }

    [Fact]
    public void Featurize_ManyThreadsAtOnce_MatchesReference()
    {
        var options = new HashedNgramOptions();
        var featurizer = new HashedNgramFeaturizer(options);
        var reference = new ReferenceHashedNgramFeaturizer(options);
        var expected = Prompts.Select(reference.Featurize).ToArray();
        var actual = new HashedFeatures[Prompts.Length * 40];
        Parallel.For(0, actual.Length, i => actual[i] = featurizer.Featurize(Prompts[i % Prompts.Length]));
        for (var i = 0; i < actual.Length; i++)
        {
            AssertSame(expected[i % Prompts.Length], actual[i]);
        }
    }

    [Fact]
    public void Featurize_NonEmptyPrompt_HasUnitNormAndAscendingDistinctIds()
    {
        var features = new HashedNgramFeaturizer(new HashedNgramOptions()).Featurize("Which gas do plants absorb? Which gas?");

        Assert.True(features.Count > 0);
        Assert.Equal(features.Ids.Order().Distinct(), features.Ids);
        Assert.InRange(features.Weights.Sum(w => (double)w * w), 1 - 1e-6, 1 + 1e-6);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(500)]
    public void Featurize_WithMaxFeatures_KeepsTheMostCountedFeatures_LowerIdsAmongEqualCounts_AtUnitNorm(int max)
    {
        var text = Prompts[^1] + " " + Prompts[6] + " the the the cat cat";
        var all = new HashedNgramFeaturizer(new HashedNgramOptions()).Featurize(text);
        Assert.True(all.Count > max);
        // Weights are counts over one norm, so ordering by weight orders by count.
        var expectedIds = all.Ids.Zip(all.Weights).OrderByDescending(p => p.Second).ThenBy(p => p.First).Take(max).Select(p => p.First).Order().ToArray();

        var capped = new HashedNgramFeaturizer(new HashedNgramOptions(), maxFeatures: max).Featurize(text);

        Assert.Equal(expectedIds, capped.Ids);
        Assert.InRange(capped.Weights.Sum(w => (double)w * w), 1 - 1e-5, 1 + 1e-5);
        var scale = capped.Weights[0] / all.Weights[Array.IndexOf(all.Ids, capped.Ids[0])];
        for (var j = 0; j < capped.Count; j++)
        {
            Assert.Equal(all.Weights[Array.IndexOf(all.Ids, capped.Ids[j])] * scale, capped.Weights[j], 5);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(9)]
    [InlineData(40)]
    public void Featurize_WithMaxFeatures_ThresholdAmongCountsAbove64_KeepsTheMostCountedFeatures(int max)
    {
        // "alpha beta" 150 times: its n-grams are counted 149–300 times, above the selection's 64-slot histogram, so
        // the threshold and its ties are decided from the exact counts.
        var text = string.Join(' ', Enumerable.Repeat("alpha beta", 150)) + " " + Prompts[6] + " " + string.Join(' ', Enumerable.Repeat("gamma", 70));
        var all = new HashedNgramFeaturizer(new HashedNgramOptions()).Featurize(text);
        var expectedIds = all.Ids.Zip(all.Weights).OrderByDescending(p => p.Second).ThenBy(p => p.First).Take(max).Select(p => p.First).Order().ToArray();

        var capped = new HashedNgramFeaturizer(new HashedNgramOptions(), maxFeatures: max).Featurize(text);

        Assert.True(all.Weights.Max() > 64 * all.Weights.Min());
        Assert.Equal(expectedIds, capped.Ids);
        Assert.InRange(capped.Weights.Sum(w => (double)w * w), 1 - 1e-5, 1 + 1e-5);
    }

    [Fact]
    public void Featurize_UnderTheCap_IsExactlyTheUncappedFeatures()
    {
        var options = new HashedNgramOptions();
        var capped = new HashedNgramFeaturizer(options, maxFeatures: 100_000);

        AssertSame(new HashedNgramFeaturizer(options).Featurize(Prompts[6]), capped.Featurize(Prompts[6]));
        Assert.Equal(100_000, capped.MaxFeatures);
        Assert.Throws<ArgumentOutOfRangeException>(() => new HashedNgramFeaturizer(options, maxFeatures: 0));
    }

    private static void AssertSameAsReference(HashedNgramOptions options, IEnumerable<string> prompts)
    {
        var featurizer = new HashedNgramFeaturizer(options);
        var reference = new ReferenceHashedNgramFeaturizer(options);
        foreach (var prompt in prompts)
        {
            AssertSame(reference.Featurize(prompt), featurizer.Featurize(prompt));
        }
    }

    private static void AssertSame(HashedFeatures expected, HashedFeatures actual)
    {
        Assert.Equal(expected.Ids, actual.Ids);
        Assert.Equal(expected.Weights.Select(BitConverter.SingleToInt32Bits), actual.Weights.Select(BitConverter.SingleToInt32Bits));
    }
}
