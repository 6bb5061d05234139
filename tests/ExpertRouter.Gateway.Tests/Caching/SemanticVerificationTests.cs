using System.Text;
using ExpertRouter.Core.Caching;
using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.Caching.Replay;
using ExpertRouter.Gateway.Caching.Semantic;
using ExpertRouter.Gateway.Caching.Stores;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Gateway.Tests.Caching;

/// <summary>A semantic hit is served only when the stored prompt and the asked one are the same question, in order.</summary>
public sealed class SemanticVerificationTests
{
    private const int PropertySeed = 20_261_124;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
    private readonly InProcessSemanticIndex _index;
    private readonly ResponseCache _cache;

    public SemanticVerificationTests()
    {
        _index = new InProcessSemanticIndex(_time, 10_000);
        _cache = new ResponseCache(new InProcessResponseCacheStore(_time, 10_000, 64 << 20), _index, new HashedTextEmbedder(), _time);
    }

    [Theory]
    [InlineData("Convert 5 km to miles", "Convert 5 miles to km")]
    [InlineData("Did Alice sue Bob over the contract?", "Did Bob sue Alice over the contract?")]
    [InlineData("Is a dog bigger than a cat?", "Is a cat bigger than a dog?")]
    [InlineData("buy Tesla and sell Apple", "buy Apple and sell Tesla")]
    public async Task FindSimilar_SwappedWordsAtSimilarity099_IsMissThoughTheIndexProposesIt(string stored, string asked)
    {
        await StoreAsync("scope", stored);
        var probe = _cache.Probe(asked);

        var proposed = await _index.FindAsync(new SemanticQuery("t", "scope", probe.Vector, probe.Facts, 0.99), CancellationToken.None);
        var served = await _cache.FindSimilarAsync("t", "scope", probe, 0.99, CancellationToken.None);

        Assert.NotNull(proposed);
        Assert.Null(served);
    }

    [Fact]
    public async Task FindSimilar_SameQuestionOtherCase_IsHit()
    {
        await StoreAsync("scope", "Convert 5 km to miles");

        var served = await _cache.FindSimilarAsync("t", "scope", _cache.Probe("convert 5 KM to miles."), 0.99, CancellationToken.None);

        Assert.Equal("Convert 5 km to miles", served?.Entry.Prompt);
    }

    /// <summary>
    /// The property: over generated pairs, a semantic hit happens exactly when the generator only made changes that
    /// keep the question, so every hit's prompt and the asked prompt agree, and no harmless rewording is refused.
    /// </summary>
    [Fact]
    public async Task FindSimilar_GeneratedPairs_HitExactlyWhenTheQuestionIsTheSame()
    {
        var pairs = new PromptPairs(PropertySeed).Create(600).ToList();
        var wrong = new List<string>();
        var scope = 0;
        foreach (var pair in pairs)
        {
            var name = $"s{scope++}";
            await StoreAsync(name, pair.Stored);
            var hit = await _cache.FindSimilarAsync("t", name, _cache.Probe(pair.Asked), 0.5, CancellationToken.None);
            if ((hit is not null) != pair.SameQuestion)
            {
                wrong.Add($"{(hit is null ? "missed" : "served")} '{pair.Stored}' for '{pair.Asked}' ({pair.Changes})");
            }
            else if (hit is not null)
            {
                Assert.True(PromptVerification.SameQuestion(hit.Value.Entry.Prompt, pair.Asked));
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong.Take(20)));
        // The generator must exercise both sides, or the property says nothing.
        Assert.InRange(pairs.Count(p => p.SameQuestion), 100, 500);
    }

    private Task StoreAsync(string scope, string prompt)
    {
        var completion = new CapturedCompletion(Encoding.UTF8.GetBytes("""{"object":"chat.completion","choices":[]}"""), 1, 1);
        return _cache.StoreAsync("t", new CacheKeys(scope + ":" + prompt, scope, true, false), completion, "e", prompt, TimeSpan.FromMinutes(5), _cache.Probe(prompt), CancellationToken.None).AsTask();
    }
}
