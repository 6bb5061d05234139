using ExpertRouter.Gateway.Protocols.State;
using ExpertRouter.Gateway.Tests.Caching;
using ExpertRouter.Testing;

namespace ExpertRouter.Gateway.Tests.Protocols;

[Collection(RedisCollection.Name)]
public sealed class RedisResponseStateStoreTests(CacheRedis redis) : ResponseStateStoreContract
{
    private RedisResponseStateStore? store;

    protected override IResponseStateStore Store => store ??= new RedisResponseStateStore(redis.Connection, Time);

    [RedisFact]
    public Task Save_ThenGet_ReturnsTheEntry() => CheckSaveThenGetReturnsTheEntry();

    [RedisFact]
    public Task SameId_TwoTenants_NeverCross() => CheckSameIdTwoTenantsNeverCross();

    [RedisFact]
    public Task Entry_ExpiresAtItsTtl() => CheckEntryExpiresAtItsTtl();

    [RedisFact]
    public Task Save_AlreadyExpired_IsNotKept() => CheckAlreadyExpiredIsNotSaved();

    [RedisFact]
    public async Task Save_UsesTenantHashTaggedKeyWithRedisTtl()
    {
        var tenant = Tenant("tagged");
        await Store.SaveAsync(tenant, Entry("resp_k", TimeSpan.FromMinutes(2)), CancellationToken.None);

        var ttl = await redis.Connection.GetDatabase().KeyTimeToLiveAsync($"er:{{{tenant}}}:resp:resp_k");

        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(100), TimeSpan.FromMinutes(2));
    }
}
