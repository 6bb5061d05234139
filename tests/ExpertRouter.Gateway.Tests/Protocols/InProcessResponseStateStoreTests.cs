using ExpertRouter.Gateway.Protocols.State;

namespace ExpertRouter.Gateway.Tests.Protocols;

public sealed class InProcessResponseStateStoreTests : ResponseStateStoreContract
{
    private InProcessResponseStateStore? store;

    protected override IResponseStateStore Store => StoreWith(10_000);

    [Fact]
    public Task Save_ThenGet_ReturnsTheEntry() => CheckSaveThenGetReturnsTheEntry();

    [Fact]
    public Task SameId_TwoTenants_NeverCross() => CheckSameIdTwoTenantsNeverCross();

    [Fact]
    public Task Entry_ExpiresAtItsTtl() => CheckEntryExpiresAtItsTtl();

    [Fact]
    public Task Save_AlreadyExpired_IsNotKept() => CheckAlreadyExpiredIsNotSaved();

    [Fact]
    public async Task Save_PastMaxEntries_EvictsTheOldestFirst()
    {
        var bounded = StoreWith(3);
        for (var i = 1; i <= 4; i++)
        {
            await bounded.SaveAsync("t", Entry($"resp_{i}", TimeSpan.FromMinutes(10 + i)), CancellationToken.None);
        }

        Assert.Equal(3, bounded.Count);
        Assert.Null(await bounded.GetAsync("t", "resp_1", CancellationToken.None));
        Assert.NotNull(await bounded.GetAsync("t", "resp_4", CancellationToken.None));
    }

    [Fact]
    public async Task Save_AfterOthersExpired_DropsTheExpiredInsteadOfLiveOnes()
    {
        var bounded = StoreWith(2);
        await bounded.SaveAsync("t", Entry("resp_old", TimeSpan.FromMinutes(1)), CancellationToken.None);
        await bounded.SaveAsync("t", Entry("resp_live", TimeSpan.FromHours(1)), CancellationToken.None);
        Time.Advance(TimeSpan.FromMinutes(2));

        await bounded.SaveAsync("t", Entry("resp_new", TimeSpan.FromHours(1)), CancellationToken.None);

        Assert.Equal(2, bounded.Count);
        Assert.NotNull(await bounded.GetAsync("t", "resp_live", CancellationToken.None));
        Assert.NotNull(await bounded.GetAsync("t", "resp_new", CancellationToken.None));
    }

    [Fact]
    public async Task Save_SameIdAgain_ReplacesItAndKeepsOneEntry()
    {
        var bounded = StoreWith(5);
        await bounded.SaveAsync("t", Entry("resp_1", TimeSpan.FromMinutes(1), "[1]"), CancellationToken.None);
        await bounded.SaveAsync("t", Entry("resp_1", TimeSpan.FromMinutes(30), "[2]"), CancellationToken.None);
        Time.Advance(TimeSpan.FromMinutes(2));
        await bounded.SaveAsync("t", Entry("resp_2", TimeSpan.FromMinutes(30)), CancellationToken.None);

        Assert.Equal("[2]", (await bounded.GetAsync("t", "resp_1", CancellationToken.None))!.MessagesJson);
        Assert.Equal(2, bounded.Count);
    }

    private InProcessResponseStateStore StoreWith(int maxEntries) =>
        store ??= new InProcessResponseStateStore(Time, new ResponseStateOptions { MaxEntries = maxEntries });
}
