using System.Diagnostics.Metrics;
using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.Capacity;
using ExpertRouter.Gateway.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Gateway.Tests.Capacity;

/// <summary>A <see cref="CapacityTracker"/> over in-process quotas (or a store of the test's own) on a fake clock set 10 s into a UTC minute.</summary>
internal sealed class CapacityHarness : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public CapacityHarness(IEnumerable<ExpertDefinition> experts, CapacityOptions? options = null, Func<CapacityMetrics, TimeProvider, ICapacityStore>? store = null)
    {
        Options = options ?? new CapacityOptions();
        Metrics = new CapacityMetrics(_services.GetRequiredService<IMeterFactory>());
        Tracker = new CapacityTracker(experts, store?.Invoke(Metrics, Time) ?? new InProcessCapacityStore(), Options, Time, Metrics, NullLogger<CapacityTracker>.Instance);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 1, 12, 0, 10, TimeSpan.Zero));

    public CapacityOptions Options { get; }

    public CapacityMetrics Metrics { get; }

    public CapacityTracker Tracker { get; }

    public static ExpertDefinition Expert(string id, int? rpm = null, int? tpm = null, int? concurrency = null, int baseUrls = 1, CapacityScope scope = CapacityScope.Expert) => new()
    {
        Id = id,
        BaseUrls = [.. Enumerable.Range(0, baseUrls).Select(i => $"http://{id}-{i}/v1")],
        ExpectedOutputTokens = 100,
        Capacity = rpm is null && tpm is null && concurrency is null
            ? null
            : new ExpertCapacity { RequestsPerMinute = rpm, TokensPerMinute = tpm, MaxConcurrency = concurrency, Scope = scope },
    };

    public ValueTask<CapacityGrant> TakeAsync(ExpertDefinition expert, int tokens = 10, int baseUrl = -1) =>
        Tracker.TryTakeAsync(expert, baseUrl, tokens, TimeSpan.FromMinutes(1));

    public void Dispose() => _services.Dispose();
}
