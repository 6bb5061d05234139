using ExpertRouter.Testing;
using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.Caching.Stores;

namespace ExpertRouter.Gateway.Tests.Caching;

[Collection(RedisCollection.Name)]
public sealed class RedisResponseCacheStoreTests(CacheRedis redis) : ResponseCacheStoreContract
{
    private RedisResponseCacheStore? _store;

    protected override IResponseCacheStore Store => _store ??= new RedisResponseCacheStore(redis.Connection, Time);

    [RedisFact]
    public Task Get_Missing_ReturnsNull() => CheckGetMissingReturnsNull();

    [RedisFact]
    public Task Set_ThenGet_ReturnsTheEntry() => CheckSetThenGetReturnsTheEntry();

    [RedisFact]
    public Task SameKey_TwoTenants_NeverCross() => CheckSameKeyTwoTenantsNeverCross();

    [RedisFact]
    public Task Entry_ExpiresAtItsTtl() => CheckEntryExpiresAtItsTtl();

    [RedisFact]
    public Task SetAgain_ReplacesTheEntry() => CheckSetAgainReplacesTheEntry();

    [RedisFact]
    public async Task Set_UsesTenantHashTaggedKeyWithRedisTtl()
    {
        var tenant = Tenant("tagged");
        await Store.SetAsync(tenant, "k", Entry("x", TimeSpan.FromMinutes(2)), CancellationToken.None);

        var ttl = await redis.Connection.GetDatabase().KeyTimeToLiveAsync($"er:{{{tenant}}}:cache:k");

        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(100), TimeSpan.FromMinutes(2));
    }
}
