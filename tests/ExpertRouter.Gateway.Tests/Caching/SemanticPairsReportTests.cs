using System.Globalization;
using System.Text;
using System.Text.Json;
using ExpertRouter.Core.Caching;
using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.Caching.Replay;
using ExpertRouter.Gateway.Caching.Semantic;
using ExpertRouter.Gateway.Caching.Stores;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace ExpertRouter.Gateway.Tests.Caching;

/// <summary>
/// Hit precision and recall of the semantic cache on Fixtures/semantic-pairs.json (paraphrases and trivial rewordings
/// that should hit; negations, changed numbers and names, swapped order, other operators and other images that must
/// not) for the hashed embedder and both sentence encoders, at three stages: cosine similarity alone, the index (the
/// threshold plus the number/negation guard) and what is served (after <see cref="PromptVerification"/>). The table is
/// written to the test output (docs/cache.md quotes it):
/// <c>dotnet test tests/ExpertRouter.Gateway.Tests --filter SemanticPairsReportTests --logger "console;verbosity=detailed"</c>.
/// </summary>
[Collection(SentenceEncoderCollection.Name)]
public sealed class SemanticPairsReportTests(SentenceEncoders encoders, ITestOutputHelper output)
{
    /// <summary>The shipped default (<c>SemanticThreshold</c>), then lower thresholds a tenant could choose.</summary>
    private static readonly double[] Thresholds = [0.95, 0.90, 0.85, 0.80];

    [Fact]
    public async Task Pairs_AtEveryThreshold_ServeNoWrongHitAndReportPrecisionAndRecall()
    {
        var pairs = LoadPairs();
        var table = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{pairs.Count} pairs ({pairs.Count(p => p.Hit)} should hit, {pairs.Count(p => !p.Hit)} must not)")
            .AppendLine("| embedder | threshold | cosine only P / R | + number/negation guard P / R | served (+ verification) P / R | wrong hits served |")
            .AppendLine("|---|---:|---|---|---|---:|");
        foreach (var embedder in new ITextEmbedder[] { new HashedTextEmbedder(), encoders.MiniLm, encoders.ArcticXs })
        {
            foreach (var threshold in Thresholds)
            {
                var stages = await ScoreAsync(embedder, pairs, threshold);
                table.AppendLine(CultureInfo.InvariantCulture,
                    $"| {embedder.Name} | {threshold:F2} | {stages.Cosine} | {stages.Index} | {stages.Served} | {stages.Served.FalsePositives} |");

                // Whatever the embedder and threshold, verification is the last word: no pair that must not hit is served.
                Assert.Equal(0, stages.Served.FalsePositives);
                Assert.True(stages.Served.TruePositives <= stages.Index.TruePositives && stages.Index.TruePositives <= stages.Cosine.TruePositives);
            }
        }

        output.WriteLine(table.ToString());
    }

    [Fact]
    public void Pairs_Paraphrases_NeverPassVerification_TrivialRewordingsAlwaysDo()
    {
        var pairs = LoadPairs();

        // What the table's served recall is bounded by: verification accepts the same words modulo trivia, not paraphrases.
        Assert.All(pairs.Where(p => p.Kind == "paraphrase"), p => Assert.False(PromptVerification.SameQuestion(p.Stored, p.Asked), p.Asked));
        Assert.All(pairs.Where(p => p.Kind == "trivia"), p => Assert.True(PromptVerification.SameQuestion(p.Stored, p.Asked), p.Asked));
        Assert.True(pairs.Count(p => p.Kind == "paraphrase") >= 20 && pairs.Count(p => !p.Hit) >= 30);
    }

    private static async Task<(Score Cosine, Score Index, Score Served)> ScoreAsync(ITextEmbedder embedder, IReadOnlyList<SemanticPair> pairs, double threshold)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
        var index = new InProcessSemanticIndex(time, 1_000);
        var cache = new ResponseCache(new InProcessResponseCacheStore(time, 1_000, 64 << 20), index, new HashedTextEmbedder(), time);
        var (cosine, guarded, served) = (new Score(), new Score(), new Score());
        for (var i = 0; i < pairs.Count; i++)
        {
            var pair = pairs[i];
            // Each pair is its own tenant, so a pair only ever meets its own stored prompt.
            var tenant = "pair-" + i.ToString(CultureInfo.InvariantCulture);
            var stored = CacheKeyBuilder.Build(tenant, Body(pair.Stored, pair.StoredImage), withScope: true);
            var asked = CacheKeyBuilder.Build(tenant, Body(pair.Asked, pair.AskedImage), withScope: true);
            var storedProbe = cache.Probe(pair.Stored, embedder, shared: null);
            var askedProbe = cache.Probe(pair.Asked, embedder, shared: null);
            await cache.StoreAsync(tenant, stored, new CapturedCompletion("{}"u8.ToArray(), 1, 1), "e", pair.Stored, TimeSpan.FromHours(1), storedProbe, CancellationToken.None);

            var sameScope = stored.Scope == asked.Scope;
            cosine.Add(pair.Hit, sameScope && VectorMath.Dot(storedProbe.Vector, askedProbe.Vector) >= threshold);
            var query = new SemanticQuery(tenant, askedProbe.IndexScope(asked.Scope!), askedProbe.Vector, askedProbe.Facts, threshold);
            guarded.Add(pair.Hit, await index.FindAsync(query, CancellationToken.None) is not null);
            served.Add(pair.Hit, await cache.FindSimilarAsync(tenant, asked.Scope!, askedProbe, threshold, CancellationToken.None) is not null);
        }

        return (cosine, guarded, served);
    }

    private static ReadOnlyMemory<byte> Body(string text, string? image)
    {
        var content = image is null
            ? JsonSerializer.Serialize(text)
            : $$$"""[{"type":"text","text":{{{JsonSerializer.Serialize(text)}}}},{"type":"image_url","image_url":{"url":"https://example.com/{{{image}}}.png"}}]""";
        return Encoding.UTF8.GetBytes($$"""{"model":"auto","temperature":0,"messages":[{"role":"user","content":{{content}}}]}""");
    }

    internal static IReadOnlyList<SemanticPair> LoadPairs()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Caching", "Fixtures", "semantic-pairs.json")));
        return [.. document.RootElement.GetProperty("pairs").EnumerateArray().Select(p => new SemanticPair(
            p.GetProperty("kind").GetString()!,
            p.GetProperty("hit").GetBoolean(),
            p.GetProperty("stored").GetString()!,
            p.GetProperty("asked").GetString()!,
            p.TryGetProperty("storedImage", out var si) ? si.GetString() : null,
            p.TryGetProperty("askedImage", out var ai) ? ai.GetString() : null))];
    }

    internal sealed record SemanticPair(string Kind, bool Hit, string Stored, string Asked, string? StoredImage, string? AskedImage);

    /// <summary>Hits counted against the pairs' labels.</summary>
    private sealed class Score
    {
        public int TruePositives { get; private set; }

        public int FalsePositives { get; private set; }

        public int FalseNegatives { get; private set; }

        public void Add(bool shouldHit, bool hit)
        {
            TruePositives += shouldHit && hit ? 1 : 0;
            FalsePositives += !shouldHit && hit ? 1 : 0;
            FalseNegatives += shouldHit && !hit ? 1 : 0;
        }

        public override string ToString()
        {
            var hits = TruePositives + FalsePositives;
            var precision = hits == 0 ? "–" : ((double)TruePositives / hits).ToString("F2", CultureInfo.InvariantCulture);
            var recall = ((double)TruePositives / (TruePositives + FalseNegatives)).ToString("F2", CultureInfo.InvariantCulture);
            return $"{precision} / {recall} ({TruePositives} of {hits} hits right)";
        }
    }
}
