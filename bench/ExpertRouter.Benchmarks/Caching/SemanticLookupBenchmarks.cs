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
    private const int Dimensions = 256;
    private readonly HashedTextEmbedder _embedder = new(Dimensions);
    private InProcessSemanticIndex _index = null!;
    private SemanticQuery _near = null!;
    private SemanticQuery _unseen = null!;

    [Params(10_000, 100_000)]
    public int Entries { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var expires = DateTimeOffset.UtcNow.AddDays(1);
        _index = new InProcessSemanticIndex(TimeProvider.System, Dimensions, Entries);
        for (var i = 0; i < Entries; i++)
        {
            var prompt = Prompt(i);
            _index.AddAsync(new SemanticEntry("tenant-a", "scope", Embed(prompt), PromptAgreement.Summarise(prompt), $"key-{i}", expires), CancellationToken.None)
                .AsTask().GetAwaiter().GetResult();
        }

        var near = Prompt(Entries / 2).ToLowerInvariant().TrimEnd('?');
        _near = new SemanticQuery("tenant-a", "scope", Embed(near), PromptAgreement.Summarise(near), 0.95);
        const string unseen = "Compose a limerick about a database index";
        _unseen = new SemanticQuery("tenant-a", "scope", Embed(unseen), PromptAgreement.Summarise(unseen), 0.95);
    }

    internal static string Prompt(int i) =>
        $"How do I configure feature {i % 977} of product {i / 977} for the {Topics[i % Topics.Length]} team?";

    private static readonly string[] Topics = ["billing", "search", "payments", "support", "growth", "infra", "mobile"];

    private float[] Embed(string text)
    {
        var vector = new float[Dimensions];
        _embedder.Embed(text, vector);
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
