using ExpertRouter.Gateway.Caching;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Gateway.Tests.Caching;

/// <summary>
/// What every <see cref="IResponseCacheStore"/> must do. Each store's test class runs every check, so the
/// in-process and Redis stores are held to the same suite.
/// </summary>
public abstract class ResponseCacheStoreContract
{
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    protected abstract IResponseCacheStore Store { get; }

    /// <summary>Tenant ids unique to this run, so a shared Redis never mixes runs.</summary>
    protected string Tenant(string name) => $"{name}-{_run}";

    protected CachedResponse Entry(string content, TimeSpan ttl) => new()
    {
        Completion = System.Text.Encoding.UTF8.GetBytes($$$"""{"object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"{{{content}}}"}}]}"""),
        Expert = "gpt-4o-2024-08-06",
        PromptTokens = 12,
        CompletionTokens = 34,
        StoredAt = Time.GetUtcNow(),
        ExpiresAt = Time.GetUtcNow() + ttl,
        Prompt = "What is " + content + "?",
    };

    protected async Task CheckGetMissingReturnsNull()
    {
        Assert.Null(await Store.GetAsync(Tenant("a"), "absent", CancellationToken.None));
    }

    protected async Task CheckSetThenGetReturnsTheEntry()
    {
        var entry = Entry("four", TimeSpan.FromMinutes(5));
        await Store.SetAsync(Tenant("a"), "k1", entry, CancellationToken.None);

        var read = await Store.GetAsync(Tenant("a"), "k1", CancellationToken.None);

        Assert.NotNull(read);
        Assert.Equal(entry.Completion, read.Completion);
        Assert.Equal(entry with { Completion = read.Completion }, read);
    }

    protected async Task CheckSameKeyTwoTenantsNeverCross()
    {
        await Store.SetAsync(Tenant("a"), "shared", Entry("for-a", TimeSpan.FromMinutes(5)), CancellationToken.None);

        Assert.Null(await Store.GetAsync(Tenant("b"), "shared", CancellationToken.None));

        await Store.SetAsync(Tenant("b"), "shared", Entry("for-b", TimeSpan.FromMinutes(5)), CancellationToken.None);
        Assert.Equal("What is for-a?", (await Store.GetAsync(Tenant("a"), "shared", CancellationToken.None))!.Prompt);
        Assert.Equal("What is for-b?", (await Store.GetAsync(Tenant("b"), "shared", CancellationToken.None))!.Prompt);
    }

    protected async Task CheckEntryExpiresAtItsTtl()
    {
        await Store.SetAsync(Tenant("a"), "ttl", Entry("soon", TimeSpan.FromSeconds(60)), CancellationToken.None);

        Time.Advance(TimeSpan.FromSeconds(59));
        Assert.NotNull(await Store.GetAsync(Tenant("a"), "ttl", CancellationToken.None));

        Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await Store.GetAsync(Tenant("a"), "ttl", CancellationToken.None));
    }

    protected async Task CheckSetAgainReplacesTheEntry()
    {
        await Store.SetAsync(Tenant("a"), "k", Entry("old", TimeSpan.FromMinutes(5)), CancellationToken.None);
        await Store.SetAsync(Tenant("a"), "k", Entry("new", TimeSpan.FromMinutes(5)), CancellationToken.None);

        Assert.Equal("What is new?", (await Store.GetAsync(Tenant("a"), "k", CancellationToken.None))!.Prompt);
    }
}
