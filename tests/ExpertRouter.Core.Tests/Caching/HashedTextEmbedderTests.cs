using ExpertRouter.Core.Caching;

namespace ExpertRouter.Core.Tests.Caching;

public sealed class HashedTextEmbedderTests
{
    private readonly HashedTextEmbedder _embedder = new(256);

    private float[] Embed(string text)
    {
        var vector = new float[_embedder.Dimensions];
        _embedder.Embed(text, vector);
        return vector;
    }

    [Fact]
    public void Embed_IsUnitLengthAndDeterministic()
    {
        var first = Embed("What is the capital of France?");
        var again = new HashedTextEmbedder(256);
        var second = new float[256];
        again.Embed("What is the capital of France?", second);

        Assert.Equal(1f, VectorMath.Dot(first, first), 4);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Embed_CaseAndPunctuationVariants_AreCloserThanUnrelatedText()
    {
        var prompt = Embed("What is the capital of France?");
        var variant = VectorMath.Dot(prompt, Embed("what is the capital of france"));
        var unrelated = VectorMath.Dot(prompt, Embed("Write a haiku about autumn leaves"));

        Assert.True(variant > 0.99f, $"variant similarity {variant}");
        Assert.True(unrelated < 0.5f, $"unrelated similarity {unrelated}");
    }

    [Fact]
    public void Embed_EmptyText_IsZeroVector()
    {
        Assert.All(Embed(""), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Dot_OddLength_UsesScalarTail()
    {
        float[] a = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
        var expected = a.Sum(v => v * v);

        Assert.Equal(expected, VectorMath.Dot(a, a));
    }
}
