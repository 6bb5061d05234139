using ExpertRouter.Core.Routing;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Reading;
using ExpertRouter.Irt.Serving;
using ExpertRouter.Irt.Tests.Reading;
using Microsoft.ML.OnnxRuntime;

namespace ExpertRouter.Irt.Tests.Serving;

public sealed class ManagedIrtScorerTests
{
    private static readonly Lazy<(string Folder, ExpertRouter.Irt.Building.IrtBuild Build)> Trained = new(() =>
    {
        var build = SyntheticRouting.Train(members: 3);
        return (SyntheticRouting.WriteFolder(build), build);
    });

    private static string[] Prompts()
    {
        var random = new Random(29);
        var prompts = Enumerable.Range(0, 30).Select(i => SyntheticRouting.Prompt(i % 3, i % 2 == 0, random)).ToList();
        prompts.Add("");
        prompts.Add("?");
        prompts.Add(string.Join(' ', Enumerable.Range(0, 3000).Select(i => $"term{i * 7919 % 5000}")));
        return [.. prompts];
    }

    [Fact]
    public void Score_SameGraph_EqualsOnnxRuntimesScoresWithinTolerance()
    {
        var model = File.ReadAllBytes(Path.Combine(Trained.Value.Folder, "model.onnx"));
        var featurizer = Trained.Value.Build.Featurizer;
        var experts = SyntheticRouting.Experts.Count;
        using var onnx = new HashedPromptScorer(new InferenceSession(model), featurizer, experts, OnnxServingOptions.Cpu) { OwnsFeaturizer = false };
        var (managed, reason) = ManagedIrtScorer.TryCreate(model, featurizer, experts);
        Assert.True(managed is not null, reason);
        var prompts = Prompts();
        var expected = new float[prompts.Length * experts];
        var actual = new float[prompts.Length * experts];

        onnx.Score(prompts, expected);
        managed.Score(prompts, actual);

        for (var i = 0; i < expected.Length; i++)
        {
            Assert.InRange(actual[i] - expected[i], -ScorerProbes.Tolerance, ScorerProbes.Tolerance);
        }

        Assert.Equal(featurizer.InputRows, managed.Rows);
        Assert.True(ScorerProbes.LargestDifference(managed, onnx, featurizer.InputRows) <= ScorerProbes.Tolerance);
    }

    [Fact]
    public void Score_ReadInPlace_ShippedGraph_EveryPolicy_GivesBitForBitTheProbabilitiesOfTheJoinedString()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "routers", "irt-ze12");
        var manifest = RouterManifest.Load(folder);
        var options = manifest.Encoder.HashedNgrams!;
        var model = File.ReadAllBytes(Path.Combine(folder, manifest.Model));
        var experts = manifest.Experts.Count;
        var conversations = ReadingCases.Conversations();
        var expected = new float[experts];
        var actual = new float[experts];
        foreach (var maxFeatures in new int?[] { null, manifest.ReadingPolicy.MaxFeatures })
        {
            var featurizer = new HashedNgramFeaturizer(options, maxFeatures);
            var (managed, reason) = ManagedIrtScorer.TryCreate(model, featurizer, experts);
            Assert.True(managed is not null, reason);
            foreach (var policy in ReadingCases.Policies().Where(p => p.MaxTokens is null or 7 or 128))
            {
                var reader = new PromptReader(policy, options.MaxChars);
                var reference = new ReferencePromptReader(policy, options.MaxChars);
                foreach (var conversation in conversations)
                {
                    // The path before reading in place: the joined string, featurized into arrays, then scored.
                    managed.Score(featurizer.Featurize(reference.Read(conversation)), expected);
                    managed.Score(reader.ReadInPlace(conversation), shared: null, actual);

                    Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
                }
            }
        }
    }

    [Fact]
    public void TryCreate_FromAGraphWithoutItsParameters_GivesTheReasonInsteadOfAScorer()
    {
        var featurizer = new HashedNgramFeaturizer(new HashedNgramOptions { Buckets = 512 });

        var (garbage, garbageReason) = ManagedIrtScorer.TryCreate([0x0A, 0xFF, 0xFF], featurizer, experts: 5);
        var (empty, emptyReason) = ManagedIrtScorer.TryCreate([], featurizer, experts: 5);

        Assert.Null(garbage);
        Assert.Contains("Truncated", garbageReason);
        Assert.Null(empty);
        Assert.Contains("E_all", emptyReason);
    }

    [Fact]
    public async Task Load_ByDefault_ScoresInManagedCode_AsTheOnnxPathAndTheTrainingReferenceDo()
    {
        await using var managed = IrtSkillRouter.Load(Trained.Value.Folder, new OnnxServingOptions(), new RecordingLogger());
        await using var onnx = IrtSkillRouter.Load(Trained.Value.Folder, new OnnxServingOptions { HashedScoring = OnnxServingOptions.Onnx }, new RecordingLogger());

        Assert.Equal("managed", managed.Scoring);
        Assert.Equal("onnx", onnx.Scoring);
        foreach (var prompt in Prompts())
        {
            var fromManaged = await managed.PredictAsync(prompt);
            var fromOnnx = await onnx.PredictAsync(prompt);
            var reference = Trained.Value.Build.Predict(prompt);
            for (var m = 0; m < reference.Length; m++)
            {
                Assert.InRange(fromManaged[m] - fromOnnx[m], -1e-5f, 1e-5f);
                Assert.InRange(fromManaged[m] - reference[m], -1e-5f, 1e-5f);
            }
        }
    }

    [Fact]
    public async Task Load_FolderWithAReadingPolicy_ReadsTheConversationAsTrainingDid()
    {
        var policy = new ReadingPolicy { Messages = ReadingPolicy.UserMessages, MaxTokens = 16, Truncate = ReadingPolicy.HeadAndTail, MaxFeatures = 64 };
        var build = ExpertRouter.Irt.Building.IrtBuild.Run(SyntheticRouting.Request(seed: 7, members: 2) with { Reads = policy });
        var folder = SyntheticRouting.WriteFolder(build, "reading");
        var conversation = new ConversationMessages(
        [
            (ConversationRole.System, "You are terse."),
            (ConversationRole.User, SyntheticRouting.Prompt(0, hard: true, new Random(1))),
            (ConversationRole.Assistant, "An answer about algebra."),
            (ConversationRole.User, SyntheticRouting.Prompt(1, hard: false, new Random(2))),
        ]);

        await using var router = IrtSkillRouter.Load(folder, new OnnxServingOptions(), new RecordingLogger());
        var served = await router.PredictAsync(conversation);
        var quality = new double[SyntheticRouting.Experts.Count];
        await router.EstimateQualityAsync(new RoutingQuery("ignored when a conversation is given") { Conversation = conversation }, SyntheticRouting.Experts, quality, CancellationToken.None);

        Assert.Equal(policy, router.Manifest.ReadingPolicy);
        Assert.Equal(policy, RouterManifest.Load(folder).Reads);
        var reference = build.Predict(conversation);
        for (var m = 0; m < reference.Length; m++)
        {
            Assert.InRange(served[m] - reference[m], -1e-5f, 1e-5f);
            Assert.Equal(served[m], quality[m], 6);
        }
    }
}
