using System.Globalization;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Tests.Functional;
using ExpertRouter.Simulation;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Gateway.Tests.Ensembles;

/// <summary>
/// A gateway whose simulated experts run on a simulator of the test's own, so tests count the calls each expert
/// received and drive the simulator's clock. e-a, e-b and e-c answer 42; e-flaky answers 503 to every second request;
/// e-down and e-down2 always answer 500; e-slowwriter streams its fixed answer one word per simulated second (the
/// test advances that clock); e-cut breaks its stream after two words. Each test has its own tenant, so circuits and cache entries do not cross between tests.
/// Circuits open after 3 judged attempts at a failure ratio of 0.5.
/// </summary>
public sealed class EnsembleResilienceGateway : IAsyncLifetime
{
    public const string SlowAnswer = "one two three four five six seven eight";
    public const string RetryKey = "sk-ens-retry";
    public const string DownKey = "sk-ens-down";
    public const string FallbackKey = "sk-ens-fallback";
    public const string CachedKey = "sk-ens-cached";
    public const string LiveKey = "sk-ens-live";
    public const string LiveCascadeKey = "sk-ens-live-cascade";
    public const string CutKey = "sk-ens-cut";
    public const string ChainKey = "sk-ens-chain";

    public FakeTimeProvider SimulatorClock { get; } = new();

    public SimulatedExpertServer Simulator { get; private set; } = null!;

    public GatewayHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var answer42 = new SimulatedModelOptions { FixedAnswer = """{"answer": "42"}""" };
        Simulator = await SimulatedExpertServer.StartAsync(
            new SimulatorOptions
            {
                Models = new Dictionary<string, SimulatedModelOptions>(StringComparer.Ordinal)
                {
                    ["e-a"] = answer42,
                    ["e-b"] = answer42,
                    ["e-c"] = answer42,
                    ["e-flaky"] = answer42,
                    ["e-slowwriter"] = new() { FixedAnswer = SlowAnswer, PerTokenDelayMs = 1000 },
                    ["e-cut"] = new() { FixedAnswer = SlowAnswer },
                },
                Faults =
                [
                    new FaultRule { Model = "e-flaky", Kind = "status", StatusCode = 503, EveryNth = 2 },
                    new FaultRule { Model = "e-down", Kind = "status", StatusCode = 500 },
                    new FaultRule { Model = "e-down2", Kind = "status", StatusCode = 500 },
                    new FaultRule { Model = "e-cut", Kind = "midstream-cut", AfterChunks = 3 },
                ],
            },
            "http://127.0.0.1:0",
            SimulatorClock,
            configureLogging: null);

        var builder = new GatewayBuilder()
            .Setting("SimulatorUrl", Simulator.BaseAddress.ToString())
            .Setting("Resilience:CircuitBreaker:MinimumThroughput", "3");
        foreach (var (id, price) in new[] { ("e-down", 0.03), ("e-down2", 0.03), ("e-flaky", 0.05), ("e-a", 0.1), ("e-b", 0.2), ("e-c", 0.3), ("e-slowwriter", 9.0), ("e-cut", 1.0) })
        {
            builder.SimulatedExpert(id, price);
        }

        Host = await builder
            .Tenant("ens-retry", RetryKey, allowed: ["e-flaky", "e-a", "e-b"])
            .Tenant("ens-down", DownKey, allowed: ["e-down", "e-a", "e-b"])
            .Tenant("ens-fallback", FallbackKey, allowed: ["e-down2", "e-a", "e-b"])
            .Tenant("ens-cached", CachedKey, allowed: ["e-a", "e-b", "e-c"])
            .Tenant("ens-live", LiveKey, allowed: ["e-a", "e-b", "e-c", "e-slowwriter"])
            .Tenant("ens-live-cascade", LiveCascadeKey, allowed: ["e-slowwriter"])
            .Tenant("ens-cut", CutKey, allowed: ["e-cut"])
            .Tenant("ens-chain", ChainKey, allowed: ["e-down2", "e-a", "e-b", "e-c"], policy: ("FallbackChain:0", "e-c"))
            .Ensemble("vote3", ("Mode", "Vote"), ("Size", "3"))
            .Ensemble("fan3", ("Mode", "FanOut"), ("Size", "3"), ("Margin", "1.0"))
            .Ensemble("single3", ("Mode", "FanOut"), ("Size", "3"), ("Margin", "0"))
            .Ensemble("moa-live", ("Mode", "Moa"), ("Size", "3"), ("Aggregator", "e-slowwriter"))
            .Ensemble("cascade-live", ("Mode", "Cascade"), ("Size", "1"))
            .StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Simulator.DisposeAsync();
    }

    public long Calls(params string[] experts) => experts.Sum(Simulator.RequestCount);
}
