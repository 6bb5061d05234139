using ExpertRouter.Core.Caching;
using ExpertRouter.Testing;
using ExpertRouter.Gateway.Caching.Semantic;
using ExpertRouter.Gateway.Caching.Semantic.Redis;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Tests.Caching;

/// <summary>The index the gateway uses with Redis: which shared index it picks, and how it degrades.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisSemanticIndexTests(CacheRedis redis)
{
    private const int Dimensions = 64;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
    private readonly HashedTextEmbedder _embedder = new(Dimensions);
    private readonly string _tenant = "t-" + Guid.NewGuid().ToString("N")[..8];

    private RedisSemanticIndex Create(IConnectionMultiplexer connection) => new(
        connection, _time, new InProcessSemanticIndex(_time, 100), 100, TimeSpan.Zero, NullLogger<RedisSemanticIndex>.Instance);

    private float[] Embed(string text)
    {
        var vector = new float[Dimensions];
        _embedder.Embed(text, vector);
        return vector;
    }

    private ValueTask Add(ISemanticIndex index, string prompt, string key) =>
        index.AddAsync(new SemanticEntry(_tenant, "s", Embed(prompt), PromptAgreement.Summarise(prompt), key, _time.GetUtcNow().AddMinutes(5)), CancellationToken.None);

    private async Task<string?> Find(ISemanticIndex index, string prompt) =>
        (await index.FindAsync(new SemanticQuery(_tenant, "s", Embed(prompt), PromptAgreement.Summarise(prompt), 0.9), CancellationToken.None))?.Key;

    [VectorSetFact]
    public async Task Active_ServerWithVectorSets_UsesVectorSets()
    {
        Assert.Equal("redis-vector-set", (await Create(VectorSetRedis.Connection).ActiveAsync())?.Name);
    }

    [RedisFact]
    public async Task Active_ServerWithoutVectorSets_UsesSharedLog()
    {
        var expected = await VectorSetSemanticIndex.SupportedAsync(redis.Connection) ? "redis-vector-set" : "redis-shared-log";
        if (RedisTestServer.Shared!.Kind != "external")
        {
            Assert.Equal("redis-shared-log", expected);
        }

        Assert.Equal(expected, (await Create(redis.Connection).ActiveAsync())?.Name);
    }

    [VectorSetFact]
    public async Task RedisCut_LookupsDegradeToThisReplica_AndSharedEntriesReturnWithRedis()
    {
        using var proxy = new CuttableTcpProxy(VectorSetRedis.Endpoint);
        using var connection = await ConnectionMultiplexer.ConnectAsync(RedisTestServer.Options(proxy.Endpoint));
        var index = Create(connection);
        await Add(index, "What is the capital of France?", "shared");

        proxy.Cut();
        await WaitUntil(() => !connection.IsConnected);
        var sharedWhileDown = await Find(index, "what is the capital of france");
        await Add(index, "Write a haiku about autumn", "local");
        var localWhileDown = await Find(index, "write a haiku about autumn");

        proxy.Restore();
        await WaitUntil(() => connection.IsConnected);

        Assert.Null(sharedWhileDown);
        Assert.Equal("local", localWhileDown);
        Assert.Equal("shared", await Find(index, "what is the capital of france"));
        Assert.Equal("local", await Find(index, "write a haiku about autumn"));
        Assert.Equal("redis-vector-set", (await index.ActiveAsync())?.Name);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        // Waits on the client library noticing the socket state, not on timing we assert about.
        for (var i = 0; i < 300 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), "the connection state did not change within 15 s");
    }
}
