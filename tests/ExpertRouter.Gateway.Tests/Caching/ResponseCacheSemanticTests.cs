using System.Text;
using ExpertRouter.Core.Caching;
using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.Caching.Replay;
using ExpertRouter.Gateway.Caching.Semantic;
using ExpertRouter.Gateway.Caching.Stores;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Gateway.Tests.Caching;

/// <summary><see cref="ResponseCache"/>'s semantic side with an answer that left the store before its vector.</summary>
public sealed class ResponseCacheSemanticTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    private static CapturedCompletion Completion(string content) => new(
        Encoding.UTF8.GetBytes($$$"""{"object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"{{{content}}}"}}]}"""), 10, 5);

    [Fact]
    public async Task FindSimilar_AnswerEvictedFromStore_MissesAndForgetsTheVector()
    {
        var store = new InProcessResponseCacheStore(_time, maxEntries: 1, maxBytes: 1 << 20);
        var index = new InProcessSemanticIndex(_time, 100);
        var cache = new ResponseCache(store, index, new HashedTextEmbedder(), _time);
        const string prompt = "What is the capital of France?";
        var probe = cache.Probe(prompt);
        await cache.StoreAsync("t", new CacheKeys("france", "scope", true, false), Completion("Paris"), "e", prompt, TimeSpan.FromMinutes(5), probe, CancellationToken.None);
        // A second answer evicts the first from the one-entry store; its vector is still indexed.
        await cache.StoreAsync("t", new CacheKeys("other", null, true, false), Completion("x"), "e", "other", TimeSpan.FromMinutes(5), null, CancellationToken.None);
        var indexedBefore = index.Count;

        var found = await cache.FindSimilarAsync("t", "scope", cache.Probe("what is the capital of france"), 0.9, CancellationToken.None);

        Assert.Null(found);
        Assert.Equal((1, 0), (indexedBefore, index.Count));
    }
}
