using ExpertRouter.Core.Caching;
using ExpertRouter.Gateway.Caching.Semantic;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Gateway.Tests.Caching;

/// <summary>
/// What every <see cref="ISemanticIndex"/> must do. The in-process index and both Redis-backed ones run every check,
/// so they are held to the same suite; tenants are unique per run so a shared server never mixes runs.
/// </summary>
public abstract class SemanticIndexContract
{
    protected const int Dimensions = 128;
    private const double Threshold = 0.5;
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private readonly HashedTextEmbedder _embedder = new(Dimensions);
    private ISemanticIndex? _index;

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    protected ISemanticIndex Index => _index ??= Create(100);

    /// <summary>A new index; for the Redis ones, a new replica over the same server.</summary>
    protected abstract ISemanticIndex Create(int maxEntries);

    protected string Tenant(string name) => $"{name}-{_run}";

    protected float[] Embed(string text)
    {
        var vector = new float[Dimensions];
        _embedder.Embed(text, vector);
        return vector;
    }

    protected ValueTask Add(string tenant, string prompt, string key, string scope = "s", TimeSpan? ttl = null, ISemanticIndex? index = null) =>
        (index ?? Index).AddAsync(new SemanticEntry(Tenant(tenant), scope, Embed(prompt), PromptAgreement.Summarise(prompt), key, Time.GetUtcNow() + (ttl ?? TimeSpan.FromMinutes(5))), CancellationToken.None);

    protected ValueTask<SemanticMatch?> Find(string tenant, string prompt, string scope = "s", double threshold = Threshold, ISemanticIndex? index = null) =>
        (index ?? Index).FindAsync(new SemanticQuery(Tenant(tenant), scope, Embed(prompt), PromptAgreement.Summarise(prompt), threshold), CancellationToken.None);

    protected async Task CheckNearDuplicateReturnsItsKey()
    {
        await Add("t", "What is the capital of France?", "france");
        await Add("t", "Write a haiku about autumn", "haiku");

        var match = await Find("t", "what is the capital of france");

        Assert.Equal("france", match?.Key);
        Assert.True(match!.Value.Similarity > 0.99f);
    }

    protected async Task CheckOtherTenantOrScopeNeverMatches()
    {
        await Add("t1", "What is the capital of France?", "france");

        Assert.Null(await Find("t2", "What is the capital of France?"));
        Assert.Null(await Find("t1", "What is the capital of France?", scope: "other-model"));
    }

    protected async Task CheckNegationPairDoesNotMatch()
    {
        await Add("t", "Is Paris the capital of France?", "yes");
        Assert.True(VectorMath.Dot(Embed("Is Paris the capital of France?"), Embed("Is Paris not the capital of France?")) >= Threshold);

        Assert.Null(await Find("t", "Is Paris not the capital of France?"));
    }

    protected async Task CheckChangedNumberPairDoesNotMatch()
    {
        await Add("t", "What is 12 times 7?", "84");
        Assert.True(VectorMath.Dot(Embed("What is 12 times 7?"), Embed("What is 12 times 8?")) >= Threshold);

        Assert.Null(await Find("t", "What is 12 times 8?"));
    }

    /// <summary>The guard skips a closer neighbour with other facts and still finds a farther one that agrees.</summary>
    protected async Task CheckGuardSkipsCloserNeighbourWithOtherFacts()
    {
        await Add("t", "Is Paris not the capital of France today?", "negated");
        await Add("t", "Paris capital of France?", "plain");

        var match = await Find("t", "Is Paris the capital of France today?");

        Assert.Equal("plain", match?.Key);
    }

    protected async Task CheckBelowThresholdDoesNotMatch()
    {
        await Add("t", "What is the capital of France?", "france");

        Assert.Null(await Find("t", "what is the capital of france", threshold: 1.0001));
    }

    protected async Task CheckExpiredEntryDoesNotMatch()
    {
        await Add("t", "What is the capital of France?", "france", ttl: TimeSpan.FromSeconds(30));
        Time.Advance(TimeSpan.FromSeconds(30));

        Assert.Null(await Find("t", "What is the capital of France?"));
    }

    protected async Task CheckBeyondMaxEntriesPrunesExpiredThenOldest()
    {
        var index = Create(maxEntries: 2);
        await Add("t", "alpha beta", "a", ttl: TimeSpan.FromMinutes(1), index: index);
        await Add("t", "gamma delta", "b", ttl: TimeSpan.FromMinutes(2), index: index);
        await Add("t", "epsilon zeta", "c", ttl: TimeSpan.FromMinutes(3), index: index);

        Assert.Null(await Find("t", "alpha beta", threshold: 0.99, index: index));
        Assert.Equal("c", (await Find("t", "epsilon zeta", threshold: 0.99, index: index))?.Key);
        Assert.Equal("b", (await Find("t", "gamma delta", threshold: 0.99, index: index))?.Key);
    }

    protected async Task CheckSameKeyAgainReplacesTheEntry()
    {
        await Add("t", "What is the capital of France?", "k");
        await Add("t", "Write a haiku about autumn", "k");

        Assert.Null(await Find("t", "What is the capital of France?", threshold: 0.9));
        Assert.Equal("k", (await Find("t", "Write a haiku about autumn", threshold: 0.9))?.Key);
    }

    protected async Task CheckRemovedEntryNoLongerMatches()
    {
        await Add("t", "What is the capital of France?", "france");
        await Add("t2", "What is the capital of France?", "france");

        await Index.RemoveAsync(Tenant("t"), "s", "france", CancellationToken.None);

        Assert.Null(await Find("t", "What is the capital of France?"));
        Assert.Equal("france", (await Find("t2", "What is the capital of France?"))?.Key);
    }

    /// <summary>Two replicas over one server: an entry one stored answers on the other, in its tenant only.</summary>
    protected async Task CheckEntryFromOneReplicaAnswersOnAnother()
    {
        var writer = Create(100);
        var reader = Create(100);
        await Add("t", "What is the capital of France?", "france", index: writer);

        Assert.Equal("france", (await Find("t", "what is the capital of france", index: reader))?.Key);
        Assert.Null(await Find("other", "what is the capital of france", index: reader));
        Assert.Null(await Find("t", "what is not the capital of france", index: reader));
    }
}
