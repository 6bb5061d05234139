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

        AssertScoresAgree(onnx, managed, experts, ScorerProbes.Tolerance);
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
    public void TryCreate_ShippedAndTrainedGraphs_HoldTheTableInHalfPrecision_AndBothPoolingPathsAgree()
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "routers", "irt-ze12");
        var manifest = RouterManifest.Load(shipped);
        var graphs = new (byte[] Model, IPromptFeaturizer Featurizer, int Experts)[]
        {
            (File.ReadAllBytes(Path.Combine(shipped, manifest.Model)), new HashedNgramFeaturizer(manifest.Encoder.HashedNgrams!, manifest.ReadingPolicy.MaxFeatures), manifest.Experts.Count),
            // Three members of 32 columns: a width that is not a whole number of the vector path's 64-column blocks.
            (File.ReadAllBytes(Path.Combine(Trained.Value.Folder, "model.onnx")), Trained.Value.Build.Featurizer, SyntheticRouting.Experts.Count),
        };
        foreach (var (model, featurizer, experts) in graphs)
        {
            var (managed, reason) = ManagedIrtScorer.TryCreate(model, featurizer, experts);
            Assert.True(managed is not null, reason);
            Assert.True(managed.HalfPrecisionTable);
            var prompts = Prompts();
            var vector = new float[prompts.Length * experts];
            var portable = new float[prompts.Length * experts];

            managed.Score(prompts, vector);
            managed.PortablePooling = true;
            managed.Score(prompts, portable);

            Assert.Contains(vector, p => p is > 0.01f and < 0.99f);
            for (var i = 0; i < vector.Length; i++)
            {
                // Same products, summed in the same order; only a fused multiply-add's rounding may differ.
                Assert.InRange(vector[i] - portable[i], -1e-6f, 1e-6f);
            }
        }
    }

    [Fact]
    public void TryCreate_ATableInSinglePrecisionAHalfCannotHold_KeepsItSingle_AndStillEqualsOnnxRuntime()
    {
        // The trained graph with its float16 table replaced by one in float32 whose values no half holds.
        var model = ExpertRouter.Irt.Onnx.Proto.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(Trained.Value.Folder, "model.onnx")));
        var table = model.Graph.Initializer.Single(t => t.Name == "E_all");
        var values = ExpertRouter.Irt.Onnx.OnnxModelFile.ReadFloats(table).Select((v, i) => v + (i % 7 == 0 ? 1e-4f : 0f)).ToArray();
        table.DataType = (int)ExpertRouter.Irt.Onnx.Proto.TensorProto.Types.DataType.Float;
        table.RawData = Google.Protobuf.ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        var bytes = ExpertRouter.Irt.Onnx.OnnxModelFile.Serialize(model);
        var featurizer = Trained.Value.Build.Featurizer;
        var experts = SyntheticRouting.Experts.Count;
        using var onnx = new HashedPromptScorer(new InferenceSession(bytes), featurizer, experts, OnnxServingOptions.Cpu) { OwnsFeaturizer = false };

        var (managed, reason) = ManagedIrtScorer.TryCreate(bytes, featurizer, experts);

        Assert.True(managed is not null, reason);
        Assert.False(managed.HalfPrecisionTable);
        AssertScoresAgree(onnx, managed, experts, ScorerProbes.Tolerance);
    }

    /// <summary>Both scorers' probabilities for every test prompt, each pair within the tolerance.</summary>
    private static void AssertScoresAgree(IPromptScorer expectedScorer, IPromptScorer actualScorer, int experts, double tolerance)
    {
        var prompts = Prompts();
        var expected = new float[prompts.Length * experts];
        var actual = new float[prompts.Length * experts];

        expectedScorer.Score(prompts, expected);
        actualScorer.Score(prompts, actual);

        Assert.Contains(expected, p => p is > 0.01f and < 0.99f);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.InRange(actual[i] - expected[i], -tolerance, tolerance);
        }
    }

    [Avx2Fact]
    public void WidenHalvesAvx2_EveryFiniteHalf_GivesTheSingleOfTheSameValue()
    {
        var halves = Enumerable.Range(0, 1 << 16).Select(bits => BitConverter.UInt16BitsToHalf((ushort)bits)).Where(Half.IsFinite).ToArray();
        var singles = new float[halves.Length];

        EmbeddingTable.WidenHalvesAvx2(halves, singles);

        Assert.Equal(63_488, halves.Length);
        for (var i = 0; i < halves.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits((float)halves[i]), BitConverter.SingleToInt32Bits(singles[i]));
        }
    }

    [Fact]
    public void ExactHalves_ATableAHalfCannotHold_IsKeptInSinglePrecision()
    {
        float[] exact = [0f, -0f, 1f, -2.5f, (float)(Half)0.1f, (float)BitConverter.UInt16BitsToHalf(1), (float)Half.MaxValue];

        Assert.NotNull(EmbeddingTable.ExactHalves(exact));
        Assert.Null(EmbeddingTable.ExactHalves([.. exact, 0.1f]));
        Assert.Null(EmbeddingTable.ExactHalves([.. exact, 1e-9f]));
        Assert.Null(EmbeddingTable.ExactHalves([.. exact, float.PositiveInfinity]));
        Assert.Null(EmbeddingTable.ExactHalves([.. exact, 70_000f]));
    }

    [Fact]
    public void Score_FeatureIdOutsideTheTable_IsRefused()
    {
        var model = File.ReadAllBytes(Path.Combine(Trained.Value.Folder, "model.onnx"));
        var (managed, _) = ManagedIrtScorer.TryCreate(model, Trained.Value.Build.Featurizer, SyntheticRouting.Experts.Count);
        var probabilities = new float[SyntheticRouting.Experts.Count];

        Assert.Throws<ArgumentOutOfRangeException>(() => managed!.Score(new HashedFeatures([1, managed.Rows], [0.5f, 0.5f]), probabilities));
        Assert.Throws<ArgumentOutOfRangeException>(() => managed!.Score(new HashedFeatures([-1], [1f]), probabilities));
        Assert.Throws<ArgumentOutOfRangeException>(() => managed!.Score(new HashedFeatures([1, 2], [1f]), probabilities));
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

/// <summary>A fact that needs AVX2 and FMA (the managed scorer's vector path), skipped with the reason elsewhere.</summary>
internal sealed class Avx2FactAttribute : FactAttribute
{
    public Avx2FactAttribute()
    {
        if (!System.Runtime.Intrinsics.X86.Avx2.IsSupported || !System.Runtime.Intrinsics.X86.Fma.IsSupported)
        {
            Skip = "This machine has no AVX2 and FMA, so the managed scorer pools on its portable path.";
        }
    }
}
