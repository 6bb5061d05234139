using BenchmarkDotNet.Attributes;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;

namespace ExpertRouter.Benchmarks.Gateway;

/// <summary>
/// The routing decision without the learned model: the cheapest router's scores turned into a ranking by
/// <see cref="CostAwareRanking"/>, for pools of the size the gateway ships (12) and larger.
/// </summary>
[MemoryDiagnoser]
public class RankingBenchmarks
{
    private readonly CheapestRouter _router = new();
    private readonly RoutingQuery _query = new("Why are sunsets red?");
    private ExpertDefinition[] _experts = [];
    private double[] _quality = [];

    [Params(12, 64)]
    public int Experts { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _experts = Enumerable.Range(0, Experts)
            .Select(i => new ExpertDefinition
            {
                Id = $"expert-{i}",
                BaseUrls = ["http://127.0.0.1:1/v1"],
                InputUsdPerMTok = 0.1 + (i % 7),
                OutputUsdPerMTok = 0.4 + (i % 5) * 3,
                ExpectedOutputTokens = 100 + i,
            })
            .ToArray();
        _quality = new double[Experts];
    }

    [Benchmark]
    public async ValueTask<RoutingDecision> CheapestThenRank()
    {
        await _router.EstimateQualityAsync(_query, _experts, _quality, CancellationToken.None);
        return CostAwareRanking.Rank(_router.Name, _experts, _quality, promptTokens: 42, lambda: 0.01);
    }
}
