using System.Net;
using System.Net.Sockets;
using ExpertRouter.Core.Tests.TestInfrastructure;
using ExpertRouter.Gateway.Tests.Caching;

namespace ExpertRouter.Gateway.Tests.Functional;

/// <summary>Replicas sharing a Redis share answers; a Redis that is down costs hits, never requests.</summary>
[Collection(RedisCollection.Name)]
public sealed class ResponseCacheRedisTests(CacheRedis redis) : IAsyncLifetime
{
    private RecordingUpstream _upstream = null!;

    public async Task InitializeAsync() => _upstream = await RecordingUpstream.StartAsync();

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    private Task<GatewayHost> StartReplicaAsync(string redisEndpoint) =>
        GatewayHost.StartAsync(new Dictionary<string, string?>(CacheTestRequests.Settings(_upstream))
        {
            ["ExpertRouter:Cache:Redis"] = redisEndpoint + ",connectTimeout=500,syncTimeout=500,asyncTimeout=500",
        });

    [RedisFact]
    public async Task TwoReplicas_ShareAnswersThroughRedis()
    {
        await using var first = await StartReplicaAsync(redis.Endpoint);
        await using var second = await StartReplicaAsync(redis.Endpoint);
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
