using BenchmarkDotNet.Attributes;
using ExpertRouter.Core.Caching;
using ExpertRouter.Gateway.Caching.Semantic;

namespace ExpertRouter.Benchmarks.Caching;

/// <summary>
/// Semantic lookup cost by index size: every entry sits in one tenant and scope (the worst case, since lookups
/// only scan their own partition). <c>Embed</c> is the hashed encoder plus the number/negation guard facts.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class SemanticLookupBenchmarks
{
    internal const int Dimensions = 256;
    private static readonly HashedTextEmbedder Embedder = new(Dimensions);
    private InProcessSemanticIndex _index = null!;
    private SemanticQuery _near = null!;
    private SemanticQuery _unseen = null!;

    [Params(10_000, 100_000)]
    public int Entries { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var expires = DateTimeOffset.UtcNow.AddDays(1);
        _index = new InProcessSemanticIndex(TimeProvider.System, Entries);
        for (var i = 0; i < Entries; i++)
        {
            var prompt = Prompt(i);
            _index.AddAsync(new SemanticEntry("tenant-a", "scope", Embed(prompt), PromptAgreement.Summarise(prompt), $"key-{i}", expires), CancellationToken.None)
                .AsTask().GetAwaiter().GetResult();
        }

        (_near, _unseen) = Queries("tenant-a", Entries);
    }

    /// <summary>The two lookups every semantic benchmark times: a near duplicate of a stored prompt, and a prompt like none of them.</summary>
    internal static (SemanticQuery Near, SemanticQuery Unseen) Queries(string tenant, int entries)
    {
        var near = Prompt(entries / 2).ToLowerInvariant().TrimEnd('?');
        const string unseen = "Compose a limerick about a database index";
        return (new SemanticQuery(tenant, "scope", Embed(near), PromptAgreement.Summarise(near), 0.95),
                new SemanticQuery(tenant, "scope", Embed(unseen), PromptAgreement.Summarise(unseen), 0.95));
    }

    internal static string Prompt(int i) =>
        $"How do I configure feature {i % 977} of product {i / 977} for the {Topics[i % Topics.Length]} team?";

    private static readonly string[] Topics = ["billing", "search", "payments", "support", "growth", "infra", "mobile"];

    internal static float[] Embed(string text)
    {
        var vector = new float[Dimensions];
        Embedder.Embed(text, vector);
        return vector;
    }

    [Benchmark]
    public float LookupNearDuplicate() => _index.FindAsync(_near, CancellationToken.None).Result?.Similarity ?? 0;

    [Benchmark]
    public float LookupNoMatch() => _index.FindAsync(_unseen, CancellationToken.None).Result?.Similarity ?? 0;

    [Benchmark]
    public PromptFacts EmbedAndGuardFacts()
    {
        var text = "How do I configure feature 12 of product 3 for the billing team?";
        Embed(text);
        return PromptAgreement.Summarise(text);
    }
}
