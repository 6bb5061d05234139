using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Capacity;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExpertRouter.Benchmarks.Gateway;

/// <summary>
/// What capacity adds to one routed request, with every one of 12 experts under in-process quotas (requests, tokens,
/// places in flight) or under none: the planner's pass over the ranking, then the invoker's check, slot, first-token
/// sample and settlement. The clock moves 1 ms per request, so quota windows turn over as they do in service and
/// the quotas (far above the load) never refuse: the cost measured is the bookkeeping of a request that fits.
/// </summary>
[MemoryDiagnoser]
public class CapacityBenchmarks
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(90);
    private readonly SteppingClock _clock = new();
    private ServiceProvider _services = null!;
    private CapacityTracker _tracker = null!;
    private CapacityShaping _shaping = null!;
    private IReadOnlyList<ExpertScore> _ranking = [];
    private readonly TenantPolicy _tenant = new() { Id = "bench" };
    private readonly OpenAIRequest _request = new()
    {
        Endpoint = OpenAIEndpoint.ChatCompletions, Body = ReadOnlyMemory<byte>.Empty, Model = "auto", ModelToken = default, PromptTokens = 42,
    };

    [Params(false, true)]
    public bool Quotas { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var experts = Enumerable.Range(0, 12)
            .Select(i => new ExpertDefinition
            {
                Id = $"expert-{i}",
                BaseUrls = ["http://127.0.0.1:1/v1"],
                InputUsdPerMTok = 0.1 + (i % 7),
                OutputUsdPerMTok = 0.4 + (i % 5) * 3,
                ExpectedOutputTokens = 100 + i,
                Capacity = Quotas ? new ExpertCapacity { RequestsPerMinute = 1_000_000, TokensPerMinute = 1_000_000_000, MaxConcurrency = 10_000 } : null,
            })
            .ToArray();
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var options = new CapacityOptions();
        var metrics = new CapacityMetrics(_services.GetRequiredService<IMeterFactory>());
        _tracker = new CapacityTracker(experts, new InProcessCapacityStore(), options, _clock, metrics, NullLogger<CapacityTracker>.Instance);
        _shaping = new CapacityShaping(_tracker, options);
        _ranking = CostAwareRanking.Rank("cheapest", experts, new double[experts.Length], promptTokens: 42, lambda: 0.01).Ranking;
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark]
    public async ValueTask<CapacityGrant> PlanAndCall()
    {
        _clock.Advance();
        var expert = _shaping.Shape(_ranking, _tenant, _request).Ranking[0].Expert;
        var tokens = CapacityTracker.EstimateTokens(_request.PromptTokens, 1, expert);
        if (_tracker.Active && !_tracker.Check(expert, tokens, _tracker.NowMs).Fits)
        {
            throw new InvalidOperationException("a quota far above the load refused");
        }

        var grant = await _tracker.TryTakeAsync(expert, -1, tokens, Lease);
        _tracker.RecordFirstToken(expert, TimeSpan.FromMilliseconds(5));
        await _tracker.SettleAsync(grant.Slot, tokens + 10);
        return grant;
    }

    /// <summary>A wall clock that moves only when told, one millisecond at a time.</summary>
    private sealed class SteppingClock : TimeProvider
    {
        private long _ms = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        public void Advance() => _ms++;

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(_ms);
    }
}
