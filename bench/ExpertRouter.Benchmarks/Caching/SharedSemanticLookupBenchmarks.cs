using BenchmarkDotNet.Attributes;
using ExpertRouter.Core.Caching;
using ExpertRouter.Gateway.Caching.Semantic;
using ExpertRouter.Gateway.Caching.Semantic.Redis;
using StackExchange.Redis;

namespace ExpertRouter.Benchmarks.Caching;

/// <summary>
/// Semantic lookup through the Redis-backed index a gateway picks for the server named by
/// <c>EXPERTROUTER_BENCH_REDIS</c> (vector sets when it has them, else the shared log), all entries in one tenant and
/// scope. The lookup runs on a second replica, so it pays what a replica pays: with vector sets a VSIM plus an HMGET of
/// the candidates' records; with the log, a catch-up check (GET + ZRANGEBYSCORE, forced on every lookup here by a zero
/// catch-up interval) and the local scan.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class SharedSemanticLookupBenchmarks
{
    public const string EnvironmentVariable = "EXPERTROUTER_BENCH_REDIS";
    private const int Dimensions = SemanticLookupBenchmarks.Dimensions;
    private ConnectionMultiplexer _redis = null!;
    private ISemanticIndex _reader = null!;
    private SemanticQuery _near = null!;
    private SemanticQuery _unseen = null!;

    [Params(10_000, 100_000)]
    public int Entries { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var endpoint = Environment.GetEnvironmentVariable(EnvironmentVariable)
            ?? throw new InvalidOperationException($"Set {EnvironmentVariable} to a Redis (or Garnet) endpoint for this benchmark.");
        _redis = ConnectionMultiplexer.Connect(endpoint + ",syncTimeout=60000,asyncTimeout=60000");
        var tenant = "bench-" + Guid.NewGuid().ToString("N")[..8];
        var writer = Create();
        _reader = Create();
        Console.WriteLine($"// shared semantic index: {((RedisSemanticIndex)writer).ActiveAsync().GetAwaiter().GetResult()?.Name}");
        var expires = DateTimeOffset.UtcNow.AddHours(2);
        foreach (var chunk in Enumerable.Range(0, Entries).Chunk(64))
        {
            Task.WhenAll(chunk.Select(i =>
            {
                var prompt = SemanticLookupBenchmarks.Prompt(i);
                return writer.AddAsync(new SemanticEntry(tenant, "scope", SemanticLookupBenchmarks.Embed(prompt), PromptAgreement.Summarise(prompt), $"key-{i}", expires), CancellationToken.None).AsTask();
            })).GetAwaiter().GetResult();
        }

        (_near, _unseen) = SemanticLookupBenchmarks.Queries(tenant, Entries);
        // The reader catches up once here, as a running replica would have.
        if (LookupNearDuplicate() == 0)
        {
            throw new InvalidOperationException("The reader replica did not find the near duplicate.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _redis.Dispose();

    private ISemanticIndex Create() => new RedisSemanticIndex(
        _redis, TimeProvider.System, new InProcessSemanticIndex(TimeProvider.System, Entries), Entries, TimeSpan.Zero,
        Microsoft.Extensions.Logging.Abstractions.NullLogger<RedisSemanticIndex>.Instance);

    [Benchmark]
    public float LookupNearDuplicate() => _reader.FindAsync(_near, CancellationToken.None).AsTask().GetAwaiter().GetResult()?.Similarity ?? 0;

    [Benchmark]
    public float LookupNoMatch() => _reader.FindAsync(_unseen, CancellationToken.None).AsTask().GetAwaiter().GetResult()?.Similarity ?? 0;
}
