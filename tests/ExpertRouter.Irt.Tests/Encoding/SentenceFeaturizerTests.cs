using ExpertRouter.Core.Caching;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Serving;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExpertRouter.Irt.Tests.Encoding;

public sealed class SentenceFeaturizerTests
{
    private static BertOnnxEncoder TinyEncoder(EncoderPooling pooling, bool normalize)
    {
        var folder = Path.Combine(Path.GetTempPath(), "er-irt-sentence-" + Guid.NewGuid().ToString("N"));
        TinyBert.Write(folder);
        return BertOnnxEncoder.Load(Path.Combine(folder, "encoder.onnx"), Path.Combine(folder, "vocab.txt"), 32, true, new OnnxServingOptions(), NullLogger.Instance, pooling, normalize);
    }

    [Fact]
    public void Featurize_WithSharedEmbeddings_RunsTheEncoderOnceForRouterAndCache()
    {
        using var featurizer = new SentenceFeaturizer(TinyEncoder(EncoderPooling.Mean, normalize: true), pretrained: PretrainedEncoders.MiniLm);
        var shared = new PromptEmbeddings();
        var reference = featurizer.Featurize("hello worlds");
        var runs = featurizer.Encoder.Runs;

        var routed = featurizer.Featurize("hello worlds", shared);
        var cached = shared.GetOrEmbed(new SentenceTextEmbedder(featurizer.Encoder, PretrainedEncoders.MiniLm), "hello worlds");

        Assert.Equal(1, featurizer.Encoder.Runs - runs);
        Assert.Same(routed.Weights, cached);
        Assert.Equal(reference.Ids, routed.Ids);
        Assert.Equal(reference.Weights, routed.Weights);
    }

    [Fact]
    public void Featurize_WithoutAPackageName_SharesNothing()
    {
        using var featurizer = new SentenceFeaturizer(TinyEncoder(EncoderPooling.Mean, normalize: true));
        var shared = new PromptEmbeddings();

        featurizer.Featurize("hello worlds", shared);
        featurizer.Featurize("hello worlds", shared);

        Assert.Null(featurizer.Embedder);
        Assert.Equal(2, featurizer.Encoder.Runs);
    }

    [Fact]
    public void Encode_ClsPooling_TakesTheFirstTokensState()
    {
        using var encoder = TinyEncoder(EncoderPooling.Cls, normalize: false);
        var embedding = new float[TinyBert.Hidden];

        encoder.Encode(["the cat"], embedding);

        Assert.Equal(TinyBert.ExpectedEmbedding(2), embedding);
    }

    [Fact]
    public void Encode_Normalised_GivesUnitLength()
    {
        using var encoder = TinyEncoder(EncoderPooling.Mean, normalize: true);
        var embedding = new float[TinyBert.Hidden];

        encoder.Encode(["hello worlds"], embedding);

        Assert.Equal(1f, System.Numerics.Tensors.TensorPrimitives.Norm(embedding), 5);
    }

    [Fact]
    public void Featurize_Combined_PutsTheEmbeddingAfterTheHashBuckets()
    {
        var hashed = new HashedNgramFeaturizer(new HashedNgramOptions { Buckets = 64 });
        using var combined = new CombinedFeaturizer(hashed, new SentenceFeaturizer(TinyEncoder(EncoderPooling.Mean, true), offset: 64));

        var features = combined.Featurize("hello the cat");

        var sparse = hashed.Featurize("hello the cat");
        Assert.Equal(64 + TinyBert.Hidden, combined.InputRows);
        Assert.Equal(sparse.Ids.Concat(Enumerable.Range(64, TinyBert.Hidden)), features.Ids);
        Assert.True(features.Ids.Zip(features.Ids.Skip(1)).All(p => p.First < p.Second), "ids must ascend");
    }

    [Fact]
    public void FeaturizeBatch_WithAStore_EncodesOnlyWhatTheStoreLacksAndFillsIt()
    {
        var store = new CountingStore();
        using var featurizer = new SentenceFeaturizer(TinyEncoder(EncoderPooling.Mean, true), store: store);
        store.Add("hello", [1, 0, 0, 0, 0, 0]);

        var batch = featurizer.FeaturizeBatch(["hello", "the cat", "worlds"]);

        Assert.Equal([1f, 0, 0, 0, 0, 0], batch[0].Weights);
        Assert.Equal(3, store.Count);
        Assert.Equal(featurizer.Featurize("the cat").Weights, batch[1].Weights);
    }

    [Theory]
    [InlineData("hashed", EncoderSpec.Hashed, null)]
    [InlineData("minilm", EncoderSpec.Sentence, "minilm")]
    [InlineData("hashed+arctic-xs", EncoderSpec.HashedSentence, "arctic-xs")]
    public void Parse_KnownNames_GiveTheirSpec(string name, string kind, string? pretrained)
    {
        var (spec, error) = PromptFeaturizers.Parse(name, new HashedNgramOptions());

        Assert.Null(error);
        Assert.Equal(kind, spec!.Kind);
        Assert.Equal(pretrained, spec.Pretrained?.Name);
        Assert.Equal(name, spec.Name);
        Assert.Empty(spec.Validate());
    }

    [Fact]
    public void Parse_AnUnknownEncoder_IsAnError()
    {
        var (spec, error) = PromptFeaturizers.Parse("hashed+glove", new HashedNgramOptions());

        Assert.Null(spec);
        Assert.Contains("minilm", error);
    }

    [Fact]
    public void Validate_APretrainedEncoderWithAnotherHash_IsRefused()
    {
        var spec = new EncoderSpec { Kind = EncoderSpec.Sentence, Pretrained = PretrainedEncoders.MiniLm with { ModelSha256 = "abc" } };

        Assert.Contains(spec.Validate(), e => e.Contains("differs", StringComparison.Ordinal));
    }

    private sealed class CountingStore : IEmbeddingStore
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, float[]> _values = new();

        public int Count => _values.Count;

        public bool TryGet(string text, out float[] embedding) => _values.TryGetValue(text, out embedding!);

        public void Add(string text, float[] embedding) => _values[text] = embedding;
    }
}
