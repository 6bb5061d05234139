using System.Diagnostics.Metrics;
using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.Capacity;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Experts;
using ExpertRouter.Gateway.Invocation;
using ExpertRouter.Gateway.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace ExpertRouter.Gateway.Tests.Invocation;

/// <summary>
/// An <see cref="ExpertInvoker"/> over a <see cref="ScriptedForwarder"/>: every expert is a one-destination cluster at
/// <c>http://&lt;id&gt;/v1</c> (unhealthy ones have no available destination), with the gateway's real circuits,
/// limits, retries and transformer.
/// </summary>
internal sealed class InvokerHarness : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public InvokerHarness(
        IReadOnlyList<ExpertDefinition> experts, ResilienceOptions? resilience = null, IEnumerable<string>? unhealthy = null, CapacityTracker? capacity = null)
    {
        var options = resilience ?? new ResilienceOptions
        {
            RetriesPerExpert = 0,
            RetryBaseDelayMs = 1,
            RetryMaxDelayMs = 1,
            CircuitBreaker = new CircuitBreakerOptions { MinimumThroughput = 2 },
        };
        var meters = _services.GetRequiredService<IMeterFactory>();
        Circuits = new ExpertCircuits(experts, options.CircuitBreaker, TimeProvider.System, meters, NullLogger<ExpertCircuits>.Instance);
        var proxy = new FakeProxyState(experts, unhealthy?.ToHashSet() ?? []);
        Invoker = new ExpertInvoker(
            Forwarder,
            new ExpertDestinations(proxy, [], []),
            Circuits,
            new ExpertTimeoutTable(experts, options.DefaultTimeouts),
            new UpstreamRetryPipeline(options, TimeProvider.System, UpstreamRetryPipeline.JitterSource(1)),
            new ExpertTransformer(new ExpertCredentials(experts, name => name == "TEST_KEY" ? "sk-upstream" : null), TimeProvider.System, capacity),
            Metrics = new GatewayMetrics(meters),
            TimeProvider.System,
            TimeSpan.FromSeconds(options.MaxRetryAfterSeconds),
            NullLogger<ExpertInvoker>.Instance,
            capacity);
    }

    public ScriptedForwarder Forwarder { get; } = new();

    public ExpertCircuits Circuits { get; }

    public GatewayMetrics Metrics { get; }

    public ExpertInvoker Invoker { get; }

    public static string Address(string expertId) => $"http://{expertId}/v1";

    public void Dispose() => _services.Dispose();

    private sealed class FakeProxyState(IReadOnlyList<ExpertDefinition> experts, HashSet<string> unhealthy) : IProxyStateLookup
    {
        private readonly Dictionary<string, ClusterState> _clusters = experts.ToDictionary(e => e.Id, e => Cluster(e.Id, healthy: !unhealthy.Contains(e.Id)));

        public bool TryGetCluster(string id, out ClusterState cluster) => _clusters.TryGetValue(id, out cluster!);

        public IEnumerable<ClusterState> GetClusters() => _clusters.Values;

        public bool TryGetRoute(string id, out RouteModel route)
        {
            route = null!;
            return false;
        }

        public IEnumerable<RouteModel> GetRoutes() => [];

        private static ClusterState Cluster(string id, bool healthy)
        {
            var config = new ClusterConfig { ClusterId = id };
            var cluster = new ClusterState(id, new ClusterModel(config, new HttpMessageInvoker(new SocketsHttpHandler())));
            var destination = new DestinationState(id + "/0", new DestinationModel(new DestinationConfig { Address = Address(id) }));
            cluster.DestinationsState = new ClusterDestinationsState([destination], healthy ? [destination] : []);
            return cluster;
        }
    }
}

/// <summary>A background answer that counts as handed on once any byte arrived, as a client's response does.</summary>
internal sealed class RecordingSink : BackgroundSink
{
    private readonly MemoryStream _bytes = new();

    public override bool Delivered => _bytes.Length > 0;

    public string Text => System.Text.Encoding.UTF8.GetString(_bytes.ToArray());

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        _bytes.Write(bytes.Span);
        return ValueTask.CompletedTask;
    }

    public override void Reset() => _bytes.SetLength(0);
}
