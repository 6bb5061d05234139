using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Onnx;
using ExpertRouter.Irt.Serving;
using Microsoft.ML.OnnxRuntime;

namespace ExpertRouter.Irt.Tests.Serving;

public sealed class HashedPromptScorerTests
{
    /// <summary>A two-member graph (5 experts, 512 buckets) written by the exporter of 2026-11-24: inputs ids, weights, rows.</summary>
    internal static string FlattenedLayoutFixture { get; } = Path.Combine(AppContext.BaseDirectory, "Serving", "Fixtures", "flattened-layout.onnx");

    private static HashedFeatures[] OfCounts(params int[] counts) =>
        counts.Select(c => new HashedFeatures(new int[c], new float[c])).ToArray();

    /// <summary>How <see cref="HashedPromptScorer"/> cuts a batch into runs: each run's first and past-the-end prompt.</summary>
    internal static List<(int Start, int End)> Runs(IReadOnlyList<HashedFeatures> features, bool flattened)
    {
        var runs = new List<(int, int)>();
        for (var start = 0; start < features.Count;)
        {
            var (end, _, _) = HashedPromptScorer.NextRun(features, start, flattened);
            runs.Add((start, end));
            start = end;
        }

        return runs;
    }

    [Fact]
    public void FlattenedLayout_ExportedBeforeThePaddedOne_IsStillServed_AndAgreesWithTheReference()
    {
        var path = FlattenedLayoutFixture;
        var reference = IrtOnnxImporter.Read(OnnxModelFile.Read(path));
        var featurizer = new HashedNgramFeaturizer(new HashedNgramOptions { Buckets = 512 });
        string[] prompts = ["What is 17 * 23? Answer with a number.", "", "Which gas do plants absorb? (A) O2 (B) CO2", "hi"];
        using var scorer = new HashedPromptScorer(new InferenceSession(path), featurizer, experts: 5, "Cpu");
        var probabilities = new float[prompts.Length * 5];

        scorer.Score(prompts, probabilities);

        Assert.True(scorer.FlattenedLayout);
        for (var i = 0; i < prompts.Length; i++)
        {
            var expected = reference.Predict(featurizer.Featurize(prompts[i]));
            for (var m = 0; m < expected.Length; m++)
            {
                Assert.InRange(probabilities[i * 5 + m] - expected[m], -1e-5f, 1e-5f);
            }
        }
    }

    [Fact]
    public void NextRun_Padded_KeepsALongPromptOutOfARunOfShortOnes()
    {
        // Three ZeroEval-sized prompts share a run; padding them to a 2,000-feature prompt would lay out 8,000
        // features for 2,399, so the long one starts the next run, where a short one may join it again
        // (2 × 2,000 padded against 2 × 2,133 + the allowance).
        var runs = Runs(OfCounts(133, 133, 133, 2000, 133), flattened: false);

        Assert.Equal([(0, 3), (3, 5)], runs);
    }

    [Fact]
    public void NextRun_Padded_BoundsTheLaidOutFeatures_ButAlwaysTakesTheFirstPrompt()
    {
        var same = Runs(OfCounts(Enumerable.Repeat(133, 300).ToArray()), flattened: false);
        var huge = Runs(OfCounts(HashedPromptScorer.MaxFeaturesPerRun + 5, 3), flattened: false);

        // 123 × 133 = 16,359 fits the budget of 16,384; a 124th prompt would not.
        Assert.Equal(123, same[0].End - same[0].Start);
        Assert.Equal(300, same.Sum(r => r.End - r.Start));
        Assert.Equal([(0, 1), (1, 2)], huge);
    }

    [Fact]
    public void NextRun_CountsAnEmptyPromptAsOneFeature()
    {
        var (end, total, longest) = HashedPromptScorer.NextRun(OfCounts(0, 0, 0), 0, flattened: false);

        Assert.Equal((3, 3, 1), (end, total, longest));
    }

    [Fact]
    public void NextRun_Flattened_BoundsPromptsTimesFeatures()
    {
        // The flattened graph's pooling works in proportion to prompts × features: 8 × 2,000 = 16,000 fits, 9 × 2,250 not.
        var runs = Runs(OfCounts(250, 250, 250, 250, 250, 250, 250, 250, 250), flattened: true);

        Assert.Equal([(0, 8), (8, 9)], runs);
    }

    [Fact]
    public void EncodedPrompts_ScoreLikeTheirText_AndAnotherScorersEncodingIsRefused()
    {
        using var scorer = new HashedPromptScorer(new InferenceSession(FlattenedLayoutFixture), new HashedNgramFeaturizer(new HashedNgramOptions { Buckets = 512 }), experts: 5, "Cpu");
        string[] prompts = ["What is 17 * 23?", "", "Which gas do plants absorb?"];
        var fromText = new float[15];
        var fromEncoded = new float[15];

        scorer.Score(prompts, fromText);
        scorer.Score(prompts.Select(scorer.Encode).ToArray(), fromEncoded);

        Assert.Equal(fromText, fromEncoded);
        Assert.Throws<ArgumentException>(() => scorer.Score([new PromptText("not hashed")], new float[5]));
    }
}
