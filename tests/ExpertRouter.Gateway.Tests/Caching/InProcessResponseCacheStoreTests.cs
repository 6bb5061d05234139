using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.Caching.Stores;

namespace ExpertRouter.Gateway.Tests.Caching;

public sealed class InProcessResponseCacheStoreTests : ResponseCacheStoreContract
{
    private readonly InProcessResponseCacheStore _store;

    public InProcessResponseCacheStoreTests() => _store = new InProcessResponseCacheStore(Time, maxEntries: 3, maxBytes: 1 << 20);

    protected override IResponseCacheStore Store => _store;

    [Fact]
    public Task Get_Missing_ReturnsNull() => CheckGetMissingReturnsNull();

    [Fact]
    public Task Set_ThenGet_ReturnsTheEntry() => CheckSetThenGetReturnsTheEntry();

    [Fact]
    public Task SameKey_TwoTenants_NeverCross() => CheckSameKeyTwoTenantsNeverCross();

    [Fact]
    public Task Entry_ExpiresAtItsTtl() => CheckEntryExpiresAtItsTtl();

    [Fact]
    public Task SetAgain_ReplacesTheEntry() => CheckSetAgainReplacesTheEntry();

    [Fact]
    public async Task Set_BeyondMaxEntries_EvictsTheOldest()
    {
        for (var i = 0; i < 4; i++)
        {
            await _store.SetAsync("t", $"k{i}", Entry($"n{i}", TimeSpan.FromMinutes(5)), CancellationToken.None);
        }

        Assert.Equal(3, _store.Count);
        Assert.Null(await _store.GetAsync("t", "k0", CancellationToken.None));
        Assert.NotNull(await _store.GetAsync("t", "k3", CancellationToken.None));
    }

    [Fact]
    public async Task Set_BeyondMaxBytes_EvictsUntilItFits()
    {
        var store = new InProcessResponseCacheStore(Time, maxEntries: 100, maxBytes: 700);
        for (var i = 0; i < 4; i++)
        {
            await store.SetAsync("t", $"k{i}", Entry($"n{i}", TimeSpan.FromMinutes(5)), CancellationToken.None);
        }

        Assert.True(store.Count < 4);
        Assert.NotNull(await store.GetAsync("t", "k3", CancellationToken.None));
    }
}
