using ExpertRouter.Gateway.Protocols.State;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Gateway.Tests.Protocols;

/// <summary>What every <see cref="IResponseStateStore"/> must do; each store's tests run these against it.</summary>
public abstract class ResponseStateStoreContract
{
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));

    protected abstract IResponseStateStore Store { get; }

    /// <summary>A tenant id no other test run uses, so tests sharing one Redis never meet.</summary>
    protected static string Tenant(string name) => $"{name}-{Guid.NewGuid():N}";

    protected StoredResponse Entry(string id, TimeSpan ttl, string messages = """[{"role":"user","content":"hi"}]""") =>
        new(id, messages, Time.GetUtcNow() + ttl);

    protected async Task CheckSaveThenGetReturnsTheEntry()
    {
        var tenant = Tenant("a");
        var entry = Entry("resp_1", TimeSpan.FromMinutes(5));

        await Store.SaveAsync(tenant, entry, CancellationToken.None);

        Assert.Equal(entry, await Store.GetAsync(tenant, "resp_1", CancellationToken.None));
        Assert.Null(await Store.GetAsync(tenant, "resp_2", CancellationToken.None));
    }

    protected async Task CheckSameIdTwoTenantsNeverCross()
    {
        var (first, second) = (Tenant("first"), Tenant("second"));

        await Store.SaveAsync(first, Entry("resp_same", TimeSpan.FromMinutes(5), "[1]"), CancellationToken.None);

        Assert.Null(await Store.GetAsync(second, "resp_same", CancellationToken.None));
        await Store.SaveAsync(second, Entry("resp_same", TimeSpan.FromMinutes(5), "[2]"), CancellationToken.None);
        Assert.Equal("[1]", (await Store.GetAsync(first, "resp_same", CancellationToken.None))!.MessagesJson);
        Assert.Equal("[2]", (await Store.GetAsync(second, "resp_same", CancellationToken.None))!.MessagesJson);
    }

    protected async Task CheckEntryExpiresAtItsTtl()
    {
        var tenant = Tenant("ttl");
        await Store.SaveAsync(tenant, Entry("resp_1", TimeSpan.FromMinutes(5)), CancellationToken.None);

        Time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.NotNull(await Store.GetAsync(tenant, "resp_1", CancellationToken.None));
        Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await Store.GetAsync(tenant, "resp_1", CancellationToken.None));
    }

    protected async Task CheckAlreadyExpiredIsNotSaved()
    {
        var tenant = Tenant("old");

        await Store.SaveAsync(tenant, Entry("resp_1", TimeSpan.Zero), CancellationToken.None);

        Assert.Null(await Store.GetAsync(tenant, "resp_1", CancellationToken.None));
    }
}
