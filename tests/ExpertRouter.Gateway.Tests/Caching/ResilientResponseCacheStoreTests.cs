using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.Caching.Stores;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Tests.Caching;

public sealed class ResilientResponseCacheStoreTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    private CachedResponse Entry() => new()
    {
        Completion = [1],
        Expert = "e",
        StoredAt = _time.GetUtcNow(),
        ExpiresAt = _time.GetUtcNow().AddMinutes(5),
    };

    [Fact]
    public async Task SharedStoreThrows_EntriesGoToAndComeFromTheFallback()
    {
        var fallback = new InProcessResponseCacheStore(_time, 10, 1 << 20);
        var store = new ResilientResponseCacheStore(new UnreachableStore(), () => true, fallback, NullLogger<ResilientResponseCacheStore>.Instance);

        await store.SetAsync("t", "k", Entry(), CancellationToken.None);

        Assert.NotNull(await store.GetAsync("t", "k", CancellationToken.None));
        Assert.Equal(1, fallback.Count);
    }

    [Fact]
    public async Task SharedStoreDisconnected_IsNotCalled()
    {
        var shared = new UnreachableStore();
        var store = new ResilientResponseCacheStore(shared, () => false, new InProcessResponseCacheStore(_time, 10, 1 << 20), NullLogger<ResilientResponseCacheStore>.Instance);

        await store.SetAsync("t", "k", Entry(), CancellationToken.None);
        await store.GetAsync("t", "k", CancellationToken.None);

        Assert.Equal(0, shared.Calls);
    }

    private sealed class UnreachableStore : IResponseCacheStore
    {
        public int Calls { get; private set; }

        public string Name => "unreachable";

        public ValueTask<CachedResponse?> GetAsync(string tenantId, string key, CancellationToken cancellationToken)
        {
            Calls++;
            throw new RedisException("down");
        }

        public ValueTask SetAsync(string tenantId, string key, CachedResponse response, CancellationToken cancellationToken)
        {
            Calls++;
            throw new RedisException("down");
        }
    }
}
