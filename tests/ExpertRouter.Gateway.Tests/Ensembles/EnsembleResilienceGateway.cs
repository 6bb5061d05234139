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

        var settings = new Dictionary<string, string?>
        {
            ["ExpertRouter:SimulatorUrl"] = Simulator.BaseAddress.ToString(),
            ["ExpertRouter:Resilience:CircuitBreaker:MinimumThroughput"] = "3",
        };
        var index = 30;
        foreach (var (id, price) in new[] { ("e-down", 0.03), ("e-down2", 0.03), ("e-flaky", 0.05), ("e-a", 0.1), ("e-b", 0.2), ("e-c", 0.3), ("e-slowwriter", 9.0), ("e-cut", 1.0) })
        {
            var p = price.ToString(CultureInfo.InvariantCulture);
            settings[$"ExpertRouter:Experts:{index}:Id"] = id;
            settings[$"ExpertRouter:Experts:{index}:Simulated"] = "true";
            settings[$"ExpertRouter:Experts:{index}:InputUsdPerMTok"] = p;
            settings[$"ExpertRouter:Experts:{index}:OutputUsdPerMTok"] = p;
            index++;
        }

        var tenant = 10;
        Tenant(settings, tenant++, "ens-retry", RetryKey, "e-flaky", "e-a", "e-b");
        Tenant(settings, tenant++, "ens-down", DownKey, "e-down", "e-a", "e-b");
        Tenant(settings, tenant++, "ens-fallback", FallbackKey, "e-down2", "e-a", "e-b");
        Tenant(settings, tenant++, "ens-cached", CachedKey, "e-a", "e-b", "e-c");
        Tenant(settings, tenant++, "ens-live", LiveKey, "e-a", "e-b", "e-c", "e-slowwriter");
        Tenant(settings, tenant++, "ens-live-cascade", LiveCascadeKey, "e-slowwriter");
        Tenant(settings, tenant++, "ens-cut", CutKey, "e-cut");
        Tenant(settings, tenant, "ens-chain", ChainKey, "e-down2", "e-a", "e-b", "e-c");
        settings[$"ExpertRouter:Tenants:{tenant}:FallbackChain:0"] = "e-c";
        Ensemble(settings, "vote3", ("Mode", "Vote"), ("Size", "3"));
        Ensemble(settings, "fan3", ("Mode", "FanOut"), ("Size", "3"), ("Margin", "1.0"));
        Ensemble(settings, "single3", ("Mode", "FanOut"), ("Size", "3"), ("Margin", "0"));
        Ensemble(settings, "moa-live", ("Mode", "Moa"), ("Size", "3"), ("Aggregator", "e-slowwriter"));
        Ensemble(settings, "cascade-live", ("Mode", "Cascade"), ("Size", "1"));
        Host = await GatewayHost.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Simulator.DisposeAsync();
    }

    public long Calls(params string[] experts) => experts.Sum(Simulator.RequestCount);

    private static void Tenant(Dictionary<string, string?> settings, int index, string id, string key, params string[] experts)
    {
        settings[$"ExpertRouter:Tenants:{index}:Id"] = id;
        settings[$"ExpertRouter:Tenants:{index}:ApiKeySha256:0"] = ApiKeyHash.Sha256Hex(key);
        settings[$"ExpertRouter:Tenants:{index}:Router"] = "cheapest";
        for (var i = 0; i < experts.Length; i++)
        {
            settings[$"ExpertRouter:Tenants:{index}:AllowedExperts:{i}"] = experts[i];
        }
    }

    private static void Ensemble(Dictionary<string, string?> settings, string name, params (string Key, string Value)[] values)
    {
        foreach (var (key, value) in values)
        {
            settings[$"ExpertRouter:Ensembles:{name}:{key}"] = value;
        }
    }
}
