using System.Net;
using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.Capacity;
using ExpertRouter.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Tests.Capacity;

/// <summary>Quotas shared by replicas through Redis: each replica a tracker with its own connection and clock, one server.</summary>
public sealed class RedisCapacityStoreTests : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public void Dispose() => _owned.ForEach(o => o.Dispose());

    [RedisFact]
    public async Task TwoReplicas_ShareAnExpertsRequestsPerMinuteExactly()
    {
        var expert = Unique("rpm", rpm: 3);
        var (one, two) = (Replica(RedisTestServer.Shared!, expert), Replica(RedisTestServer.Shared!, expert));

        Assert.True((await one.TakeAsync(expert)).Granted);
        Assert.True((await two.TakeAsync(expert)).Granted);
        Assert.True((await one.TakeAsync(expert)).Granted);

        var refused = await two.TakeAsync(expert);
        Assert.Equal(CapacityLimit.Requests, refused.RefusedBy);
        Assert.Equal(TimeSpan.FromSeconds(50), refused.RetryAfter);
        // The refusal told the second replica the cluster's count: its planner now passes the expert over up front.
        Assert.False(two.Tracker.Check(expert, 10, two.Tracker.NowMs).Fits);
    }

    [RedisFact]
    public async Task Release_UnsentCall_GivesTheRequestBackToEveryReplica()
    {
        var expert = Unique("release", rpm: 1);
        var (one, two) = (Replica(RedisTestServer.Shared!, expert), Replica(RedisTestServer.Shared!, expert));

        var grant = await one.TakeAsync(expert);
        await one.Tracker.ReleaseAsync(grant.Slot);

        Assert.True((await two.TakeAsync(expert)).Granted);
    }

    [RedisFact]
    public async Task Settle_TokensAndPlacesInFlight_AreSharedAndGivenBack()
    {
        var expert = Unique("tpm", tpm: 1_000, concurrency: 1);
        var (one, two) = (Replica(RedisTestServer.Shared!, expert), Replica(RedisTestServer.Shared!, expert));

        var grant = await one.TakeAsync(expert, tokens: 900);
        Assert.Equal(CapacityLimit.Concurrency, (await two.TakeAsync(expert, tokens: 10)).RefusedBy);

        await one.Tracker.SettleAsync(grant.Slot, usedTokens: 100);

        Assert.True((await two.TakeAsync(expert, tokens: 800)).Granted);
    }

    [RedisFact]
    public async Task ProviderBlock_SeenByOneReplica_KeepsTheOthersOff()
    {
        var expert = Unique("block", rpm: 100);
        var (one, two) = (Replica(RedisTestServer.Shared!, expert), Replica(RedisTestServer.Shared!, expert));
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);

        one.Tracker.ObserveResponse(expert, -1, response.Headers, 429, TimeSpan.FromSeconds(20));

        var refused = await WaitForAsync(() => two.TakeAsync(expert), grant => !grant.Granted);
        Assert.Equal(CapacityLimit.Provider, refused.RefusedBy);
        Assert.InRange(refused.RetryAfter, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public void KeyPrefix_IsHashTaggedPerExpert_WholeOrPerBaseUrl()
    {
        var whole = new ExpertLoad("e", -1, new ExpertCapacity { RequestsPerMinute = 1 }, shared: true);
        var second = new ExpertLoad("e", 1, new ExpertCapacity { RequestsPerMinute = 1 }, shared: true);

        Assert.Equal("er:{x:e}:", whole.KeyPrefix);
        // The base URL stays outside the {…} tag, so every quota of one expert lives in one Redis Cluster slot.
        Assert.Equal("er:{x:e}:u1:", second.KeyPrefix);
    }

    [RedisFact]
    public async Task Keys_OfOneExpert_ShareItsClusterHashTag_ForTheWholeExpertAndPerBaseUrl()
    {
        var whole = Unique("slot", rpm: 10, tpm: 1_000, concurrency: 2);
        var perUrl = CapacityHarness.Expert($"slot-url-{Guid.NewGuid():N}", rpm: 10, tpm: 1_000, concurrency: 2, baseUrls: 2, scope: CapacityScope.BaseUrl);
        var replica = Replica(RedisTestServer.Shared!, whole, perUrl);
        using var limited = new HttpResponseMessage(HttpStatusCode.TooManyRequests);

        Assert.True((await replica.TakeAsync(whole)).Granted);
        Assert.True((await replica.TakeAsync(perUrl, baseUrl: 0)).Granted);
        Assert.True((await replica.TakeAsync(perUrl, baseUrl: 1)).Granted);
        replica.Tracker.ObserveResponse(perUrl, 1, limited.Headers, 429, TimeSpan.FromSeconds(20));

        // A script touches all of a quota's keys at once, which Redis Cluster allows only within one slot; and an
        // expert's keys, whichever base URL they count, share its {x:<expert>} tag, so they are all on one shard.
        var wholeKeys = await KeysAsync(whole, k => k.Count >= 3);
        var urlKeys = await KeysAsync(perUrl, k => k.Any(key => key.EndsWith(":u1:block", StringComparison.Ordinal)));
        Assert.All(wholeKeys, k => Assert.StartsWith("er:{x:" + whole.Id + "}:", k));
        Assert.DoesNotContain(wholeKeys, k => k.Contains("}:u", StringComparison.Ordinal));
        Assert.Contains(urlKeys, k => k.StartsWith("er:{x:" + perUrl.Id + "}:u0:", StringComparison.Ordinal));
        Assert.Contains("er:{x:" + perUrl.Id + "}:u1:block", urlKeys);
        Assert.All(wholeKeys, k => Assert.Equal("x:" + whole.Id, ClusterHashTag.Of(k)));
        Assert.All(urlKeys, k => Assert.Equal("x:" + perUrl.Id, ClusterHashTag.Of(k)));
    }

    [Fact]
    public async Task RedisUnreachable_QuotasAreCountedInProcess_AndNothingFails()
    {
        var expert = Unique("down", rpm: 2, concurrency: 5);
        var connection = ConnectionMultiplexer.Connect(RedisTestServer.Options("127.0.0.1:1"));
        _owned.Add(connection);
        RedisCapacityStore? store = null;
        var replica = new CapacityHarness([expert], store: (metrics, time) =>
            store = new RedisCapacityStore(connection, new Gateway.Configuration.CapacityOptions(), time, metrics, NullLogger<RedisCapacityStore>.Instance));
        _owned.Add(replica);

        var first = await replica.TakeAsync(expert);
        Assert.True((await replica.TakeAsync(expert)).Granted);
        Assert.Equal(CapacityLimit.Requests, (await replica.TakeAsync(expert)).RefusedBy);
        await replica.Tracker.SettleAsync(first.Slot, null);

        Assert.True(store!.IsDegraded);
        Assert.Equal("redis", replica.Tracker.Store);
    }

    [AtomicRedisFact]
    public async Task ConcurrentTakesOnThreeReplicas_GrantExactlyTheQuota()
    {
        var expert = Unique("race", rpm: 40);
        var replicas = Enumerable.Range(0, 3).Select(_ => Replica(AtomicRedis.Shared!, expert)).ToList();

        var grants = await Task.WhenAll(Enumerable.Range(0, 150).Select(i => Task.Run(async () => await replicas[i % 3].TakeAsync(expert))));

        Assert.Equal(40, grants.Count(g => g.Granted));
        Assert.All(grants.Where(g => !g.Granted), g => Assert.Equal(CapacityLimit.Requests, g.RefusedBy));
    }

    private CapacityHarness Replica(RedisTestServer server, params ExpertDefinition[] experts)
    {
        var connection = server.Connect();
        _owned.Add(connection);
        var replica = new CapacityHarness(experts, store: (metrics, time) =>
            new RedisCapacityStore(connection, new Gateway.Configuration.CapacityOptions { CommandTimeout = TimeSpan.FromSeconds(10) }, time, metrics, NullLogger<RedisCapacityStore>.Instance));
        _owned.Add(replica);
        return replica;
    }

    private static ExpertDefinition Unique(string name, int? rpm = null, int? tpm = null, int? concurrency = null) =>
        CapacityHarness.Expert($"{name}-{Guid.NewGuid():N}", rpm, tpm, concurrency);

    /// <summary>The expert's keys in the shared server, once <paramref name="done"/> holds (the provider block is written in the background).</summary>
    private async Task<IReadOnlyList<string>> KeysAsync(ExpertDefinition expert, Func<IReadOnlyList<string>, bool> done)
    {
        var connection = RedisTestServer.Shared!.Connect();
        _owned.Add(connection);
        var server = connection.GetServers()[0];
        return await WaitForAsync(
            () => ValueTask.FromResult<IReadOnlyList<string>>([.. server.Keys(pattern: "er:{x:" + expert.Id + "}*").Select(k => k.ToString())]), done);
    }

    private static async Task<T> WaitForAsync<T>(Func<ValueTask<T>> read, Func<T, bool> done)
    {
        for (var i = 0; ; i++)
        {
            var value = await read();
            if (done(value) || i == 50)
            {
                return value;
            }

            await Task.Delay(20);
        }
    }
}
