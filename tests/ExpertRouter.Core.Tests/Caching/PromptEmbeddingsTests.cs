using ExpertRouter.Core.Caching;

namespace ExpertRouter.Core.Tests.Caching;

public sealed class PromptEmbeddingsTests
{
    [Fact]
    public void GetOrEmbed_SameEmbedderAndText_EmbedsOnceAndSharesTheVector()
    {
        var embedder = new CountingEmbedder("a");
        var embeddings = new PromptEmbeddings();

        var first = embeddings.GetOrEmbed(embedder, "What is 2 + 2?");
        var second = embeddings.GetOrEmbed(embedder, "What is 2 + 2?");

        Assert.Same(first, second);
        Assert.Equal(1, embedder.Calls);
    }

    [Fact]
    public void GetOrEmbed_AnotherEmbedderByName_EmbedsAgain()
    {
        var embeddings = new PromptEmbeddings();
        var (a, b) = (new CountingEmbedder("a"), new CountingEmbedder("b"));

        embeddings.GetOrEmbed(a, "same text");
        var fromB = embeddings.GetOrEmbed(b, "same text");

        Assert.Equal((1, 1), (a.Calls, b.Calls));
        Assert.Equal(HashedEmbedding("same text", b.Dimensions), fromB);
    }

    [Fact]
    public void GetOrEmbed_AnotherText_EmbedsThatText()
    {
        var embedder = new CountingEmbedder("a");
        var embeddings = new PromptEmbeddings();

        embeddings.GetOrEmbed(embedder, "first");
        var other = embeddings.GetOrEmbed(embedder, "second");

        Assert.Equal(2, embedder.Calls);
        Assert.Equal(HashedEmbedding("second", embedder.Dimensions), other);
    }

    private static float[] HashedEmbedding(string text, int dimensions)
    {
        var vector = new float[dimensions];
        new HashedTextEmbedder(dimensions).Embed(text, vector);
        return vector;
    }

    /// <summary>The hashed embedding under a name of the test's choosing, counting its calls.</summary>
    private sealed class CountingEmbedder(string name) : ITextEmbedder
    {
        private readonly HashedTextEmbedder _inner = new(32);

        public int Calls { get; private set; }

        public string Name => name;

        public int Dimensions => _inner.Dimensions;

        public void Embed(ReadOnlySpan<char> text, Span<float> destination)
        {
            Calls++;
            _inner.Embed(text, destination);
        }
    }
}
