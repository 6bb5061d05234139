using ExpertRouter.Core.Caching;
using ExpertRouter.Gateway.Caching.Semantic;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Gateway.Tests.Caching;

public sealed class InProcessSemanticIndexTests
{
    private const double Threshold = 0.5;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
    private readonly HashedTextEmbedder _embedder = new(128);
    private readonly InProcessSemanticIndex _index;

    public InProcessSemanticIndexTests() => _index = new InProcessSemanticIndex(_time, 128, maxEntries: 100);

    private float[] Embed(string text)
    {
        var vector = new float[128];
        _embedder.Embed(text, vector);
        return vector;
    }

    private ValueTask Add(string tenant, string prompt, string key, string scope = "s", TimeSpan? ttl = null) =>
        _index.AddAsync(new SemanticEntry(tenant, scope, Embed(prompt), PromptAgreement.Summarise(prompt), key, _time.GetUtcNow() + (ttl ?? TimeSpan.FromMinutes(5))), CancellationToken.None);

    private ValueTask<SemanticMatch?> Find(string tenant, string prompt, string scope = "s", double threshold = Threshold) =>
        _index.FindAsync(new SemanticQuery(tenant, scope, Embed(prompt), PromptAgreement.Summarise(prompt), threshold), CancellationToken.None);

    [Fact]
    public async Task Find_NearDuplicate_ReturnsItsKey()
    {
        await Add("t", "What is the capital of France?", "france");
        await Add("t", "Write a haiku about autumn", "haiku");

        var match = await Find("t", "what is the capital of france");

        Assert.Equal("france", match?.Key);
        Assert.True(match!.Value.Similarity > 0.99f);
    }

    [Fact]
    public async Task Find_OtherTenantOrScope_NeverMatches()
    {
        await Add("t1", "What is the capital of France?", "france");

        Assert.Null(await Find("t2", "What is the capital of France?"));
        Assert.Null(await Find("t1", "What is the capital of France?", scope: "other-model"));
    }

    [Fact]
    public async Task Find_NegationPair_DoesNotMatchEvenAboveThreshold()
    {
        await Add("t", "Is Paris the capital of France?", "yes");
        Assert.True(VectorMath.Dot(Embed("Is Paris the capital of France?"), Embed("Is Paris not the capital of France?")) >= Threshold);

        Assert.Null(await Find("t", "Is Paris not the capital of France?"));
    }

    [Fact]
    public async Task Find_ChangedNumberPair_DoesNotMatchEvenAboveThreshold()
    {
        await Add("t", "What is 12 times 7?", "84");
        Assert.True(VectorMath.Dot(Embed("What is 12 times 7?"), Embed("What is 12 times 8?")) >= Threshold);

        Assert.Null(await Find("t", "What is 12 times 8?"));
    }

    [Fact]
    public async Task Find_BelowThreshold_DoesNotMatch()
    {
        await Add("t", "What is the capital of France?", "france");

        Assert.Null(await Find("t", "what is the capital of france", threshold: 1.0001));
    }

    [Fact]
    public async Task Find_ExpiredEntry_DoesNotMatch()
    {
        await Add("t", "What is the capital of France?", "france", ttl: TimeSpan.FromSeconds(30));
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Null(await Find("t", "What is the capital of France?"));
    }

    [Fact]
    public async Task Add_BeyondMaxEntries_PrunesExpiredThenOldest()
    {
        var index = new InProcessSemanticIndex(_time, 128, maxEntries: 2);
        var facts = PromptAgreement.Summarise("q");
        await index.AddAsync(new SemanticEntry("t", "s", Embed("alpha beta"), facts, "a", _time.GetUtcNow().AddMinutes(1)), CancellationToken.None);
        await index.AddAsync(new SemanticEntry("t", "s", Embed("gamma delta"), facts, "b", _time.GetUtcNow().AddMinutes(2)), CancellationToken.None);
        await index.AddAsync(new SemanticEntry("t", "s", Embed("epsilon zeta"), facts, "c", _time.GetUtcNow().AddMinutes(3)), CancellationToken.None);

        Assert.Equal(2, index.Count);
        Assert.Null(await index.FindAsync(new SemanticQuery("t", "s", Embed("alpha beta"), facts, 0.99), CancellationToken.None));
        Assert.Equal("c", (await index.FindAsync(new SemanticQuery("t", "s", Embed("epsilon zeta"), facts, 0.99), CancellationToken.None))?.Key);
        Assert.Equal("b", (await index.FindAsync(new SemanticQuery("t", "s", Embed("gamma delta"), facts, 0.99), CancellationToken.None))?.Key);
    }

    [Fact]
    public async Task Add_SameKeyAgain_ReplacesInsteadOfGrowing()
    {
        await Add("t", "What is the capital of France?", "france");
        await Add("t", "What is the capital of France?", "france");

        Assert.Equal(1, _index.Count);
    }
}
