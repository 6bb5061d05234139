using System.Net;
using System.Net.Sockets;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Testing;
using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.Caching.Semantic;
using ExpertRouter.Gateway.Caching.Semantic.Redis;
using ExpertRouter.Gateway.Tests.Caching;

namespace ExpertRouter.Gateway.Tests.Functional;

/// <summary>Replicas sharing a Redis share answers; a Redis that is down costs hits, never requests.</summary>
[Collection(RedisCollection.Name)]
public sealed class ResponseCacheRedisTests(CacheRedis redis) : IAsyncLifetime
{
    private RecordingUpstream _upstream = null!;

    public async Task InitializeAsync() => _upstream = await RecordingUpstream.StartAsync();

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    private const string ThirdKey = "sk-third-tenant";

    /// <summary>A replica with the shared cache settings plus a third tenant whose semantic cache matches "other"'s.</summary>
    private Task<GatewayHost> StartReplicaAsync(string redisEndpoint, int connectTimeoutMs = 500) =>
        GatewayBuilder.StartAsync(new Dictionary<string, string?>(CacheTestRequests.Settings(_upstream))
        {
            // Short connect timeout for the unreachable case; commands get time enough for a loaded CI machine.
            ["ExpertRouter:Cache:Redis"] = redisEndpoint + $",connectTimeout={connectTimeoutMs},syncTimeout=5000,asyncTimeout=5000",
            ["ExpertRouter:Tenants:2:Id"] = "third",
            ["ExpertRouter:Tenants:2:ApiKeySha256:0"] = ApiKeyHash.Sha256Hex(ThirdKey),
            ["ExpertRouter:Tenants:2:Router"] = "cheapest",
            ["ExpertRouter:Cache:Tenants:third:Mode"] = "Semantic",
            ["ExpertRouter:Cache:Tenants:third:SemanticThreshold"] = "0.5",
        });

    /// <summary>
    /// A replica connected to a reachable Redis. Until its connection is up a replica caches in process by design, so
    /// a test about sharing waits for it: on a loaded 2-core machine the first connect can take longer than 500 ms.
    /// </summary>
    private async Task<GatewayHost> StartConnectedReplicaAsync(string redisEndpoint)
    {
        var gateway = await StartReplicaAsync(redisEndpoint, connectTimeoutMs: 5000);
        var connection = gateway.Services.GetRequiredService<ResponseCacheRedis>().Connection;
        for (var i = 0; i < 500 && !connection.IsConnected; i++)
        {
            await Task.Delay(20);
        }

        Assert.True(connection.IsConnected, $"the replica did not connect to {redisEndpoint} within 10 s");
        return gateway;
    }

    private static async Task<string?> ActiveIndexAsync(GatewayHost gateway) =>
        (await ((RedisSemanticIndex)gateway.Services.GetRequiredService<ISemanticIndex>()).ActiveAsync())?.Name;

    /// <summary>
    /// Replica A answers a prompt; replica B gets a semantic hit for a near duplicate of the same tenant, a miss for
    /// another tenant, and a miss for the negated or renumbered prompt (the guard holds across replicas too).
    /// </summary>
    private async Task<string?> CheckSemanticHitCrossesReplicasButNotTenantsAsync(string redisEndpoint)
    {
        await using var a = await StartConnectedReplicaAsync(redisEndpoint);
        await using var b = await StartConnectedReplicaAsync(redisEndpoint);
        using var otherOnA = a.CreateClient(CacheTestRequests.OtherKey);
        using var otherOnB = b.CreateClient(CacheTestRequests.OtherKey);
        using var thirdOnB = b.CreateClient(ThirdKey);
        var topic = Guid.NewGuid().ToString("N")[..8];

        using var stored = await otherOnA.PostAsync("/v1/chat/completions", CacheTestRequests.Chat($"What is the capital of {topic} land?"));
        await CacheTestRequests.SettledAsync(a);
        using var nearDuplicate = await otherOnB.PostAsync("/v1/chat/completions", CacheTestRequests.Chat($"what is the capital of {topic} land"));
        using var otherTenant = await thirdOnB.PostAsync("/v1/chat/completions", CacheTestRequests.Chat($"what is the capital of {topic} land"));
        using var negated = await otherOnB.PostAsync("/v1/chat/completions", CacheTestRequests.Chat($"What is not the capital of {topic} land?"));
        using var renumbered = await otherOnB.PostAsync("/v1/chat/completions", CacheTestRequests.Chat($"What is the capital of {topic} land in 1900?"));

        Assert.Equal(
            ("miss", "semantic-hit", "miss", "miss", "miss"),
            (CacheTestRequests.CacheResult(stored), CacheTestRequests.CacheResult(nearDuplicate), CacheTestRequests.CacheResult(otherTenant),
             CacheTestRequests.CacheResult(negated), CacheTestRequests.CacheResult(renumbered)));
        Assert.Equal(await stored.Content.ReadAsStringAsync(), await nearDuplicate.Content.ReadAsStringAsync());
        Assert.Equal(4, _upstream.Requests.Count);
        return await ActiveIndexAsync(b);
    }

    [RedisFact]
    public async Task TwoReplicas_SemanticHitCrossesReplicasNotTenants_WithoutVectorSets()
    {
        var index = await CheckSemanticHitCrossesReplicasButNotTenantsAsync(redis.Endpoint);

        var expected = await VectorSetSemanticIndex.SupportedAsync(redis.Connection) ? "redis-vector-set" : "redis-shared-log";
        Assert.Equal(expected, index);
    }

    [VectorSetFact]
    public async Task TwoReplicas_SemanticHitCrossesReplicasNotTenants_OnVectorSets()
    {
        Assert.Equal("redis-vector-set", await CheckSemanticHitCrossesReplicasButNotTenantsAsync(VectorSetRedis.Endpoint));
    }

    [RedisFact]
    public async Task TwoReplicas_SwappedWordOrder_IsMissOnTheOtherReplica()
    {
        await using var a = await StartConnectedReplicaAsync(redis.Endpoint);
        await using var b = await StartConnectedReplicaAsync(redis.Endpoint);
        using var otherOnA = a.CreateClient(CacheTestRequests.OtherKey);
        using var otherOnB = b.CreateClient(CacheTestRequests.OtherKey);
        var topic = Guid.NewGuid().ToString("N")[..8];

        using var stored = await otherOnA.PostAsync("/v1/chat/completions", CacheTestRequests.Chat($"Convert 5 km to {topic} miles"));
        await CacheTestRequests.SettledAsync(a);
        using var swapped = await otherOnB.PostAsync("/v1/chat/completions", CacheTestRequests.Chat($"Convert 5 {topic} miles to km"));
        using var same = await otherOnB.PostAsync("/v1/chat/completions", CacheTestRequests.Chat($"convert 5 KM to {topic} miles."));

        Assert.Equal(
            ("miss", "miss", "semantic-hit"),
            (CacheTestRequests.CacheResult(stored), CacheTestRequests.CacheResult(swapped), CacheTestRequests.CacheResult(same)));
        Assert.Equal(2, _upstream.Requests.Count);
    }

    [Fact]
    public async Task RedisUnreachable_SemanticLookupsStillAnswerFromThisReplica()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var gateway = await StartReplicaAsync($"127.0.0.1:{closedPort}");
        using var other = gateway.CreateClient(CacheTestRequests.OtherKey);

        using var first = await other.PostAsync("/v1/chat/completions", CacheTestRequests.Chat("Redis is down, what now?"));
        await CacheTestRequests.SettledAsync(gateway);
        using var second = await other.PostAsync("/v1/chat/completions", CacheTestRequests.Chat("redis is down what now"));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        Assert.Equal(("miss", "semantic-hit"), (CacheTestRequests.CacheResult(first), CacheTestRequests.CacheResult(second)));
        Assert.Single(_upstream.Requests);
    }

    [RedisFact]
    public async Task TwoReplicas_ShareAnswersThroughRedis()
    {
        await using var first = await StartConnectedReplicaAsync(redis.Endpoint);
        await using var second = await StartConnectedReplicaAsync(redis.Endpoint);
        var prompt = "Shared across replicas " + Guid.NewGuid();

        using var fromFirst = await first.Client.PostAsync("/v1/chat/completions", CacheTestRequests.Chat(prompt));
        await CacheTestRequests.SettledAsync(first);
        using var fromSecond = await second.Client.PostAsync("/v1/chat/completions", CacheTestRequests.Chat(prompt));

        Assert.Equal(("miss", "hit"), (CacheTestRequests.CacheResult(fromFirst), CacheTestRequests.CacheResult(fromSecond)));
        Assert.Single(_upstream.Requests);
    }

    [Fact]
    public async Task RedisUnreachable_RequestsStillSucceed_AndCacheInProcess()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var gateway = await StartReplicaAsync($"127.0.0.1:{closedPort}");

        using var first = await gateway.Client.PostAsync("/v1/chat/completions", CacheTestRequests.Chat("Redis is down"));
        using var second = await gateway.Client.PostAsync("/v1/chat/completions", CacheTestRequests.Chat("Redis is down"));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        Assert.Equal(("miss", "hit"), (CacheTestRequests.CacheResult(first), CacheTestRequests.CacheResult(second)));
        Assert.Single(_upstream.Requests);
    }
}
