using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace ExpertRouter.Gateway.Invocation;

/// <summary>One destination of an expert's cluster, picked for one attempt, with the cluster's client and settings.</summary>
public readonly record struct Destination(ClusterState Cluster, DestinationState State)
{
    public string Address => State.Model.Config.Address;

    public HttpMessageInvoker Client => Cluster.Model.HttpClient;

    public ForwarderRequestConfig RequestConfig => Cluster.Model.Config.HttpRequest ?? ForwarderRequestConfig.Empty;
}

/// <summary>
/// YARP's view of the experts, shared by every call: one cluster per expert, its destinations' health (active probes
/// and passive failure rates), its load-balancing policy and its HTTP client. Picking, counting in-flight requests
/// and reporting each attempt to the passive health policy all happen here, so forwarding and background calls read
/// and write the same state.
/// </summary>
public sealed class ExpertDestinations
{
    private readonly IProxyStateLookup _proxy;
    private readonly FrozenDictionary<string, ILoadBalancingPolicy> _balancers;
    private readonly FrozenDictionary<string, IPassiveHealthCheckPolicy> _passive;

    // YARP keeps its own in-flight counter internal; ours is the source of truth and is mirrored into
    // DestinationState.ConcurrentRequestCount, which YARP's least-busy and power-of-two policies read.
    private readonly ConditionalWeakTable<DestinationState, StrongBox<int>> _inFlight = new();

    public ExpertDestinations(IProxyStateLookup proxy, IEnumerable<ILoadBalancingPolicy> balancers, IEnumerable<IPassiveHealthCheckPolicy> passive)
    {
        _proxy = proxy;
        _balancers = balancers.ToFrozenDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        _passive = passive.ToFrozenDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Whether the expert has any destination its health checks hold available now.</summary>
    public bool HasAvailable(string expertId) =>
        _proxy.TryGetCluster(expertId, out var cluster) && cluster.DestinationsState.AvailableDestinations.Count > 0;

    /// <summary>How many of the expert's destinations its health checks hold available now, of how many.</summary>
    public (int Available, int Total) Health(string expertId) =>
        _proxy.TryGetCluster(expertId, out var cluster)
            ? (cluster.DestinationsState.AvailableDestinations.Count, cluster.DestinationsState.AllDestinations.Count)
            : (0, 0);

    /// <summary>A destination of the expert by its cluster's load-balancing policy, or false when none is available.</summary>
    public bool TryPick(HttpContext context, string expertId, out Destination destination)
    {
        destination = default;
        if (!_proxy.TryGetCluster(expertId, out var cluster))
        {
            return false;
        }

        var available = cluster.DestinationsState.AvailableDestinations;
        if (available.Count == 0)
        {
            return false;
        }

        var picked = available.Count == 1 || cluster.Model.Config.LoadBalancingPolicy is not { } name || !_balancers.TryGetValue(name, out var policy)
            ? available[0]
            : policy.PickDestination(context, cluster, available);
        if (picked is null)
        {
            return false;
        }

        destination = new Destination(cluster, picked);
        return true;
    }

    /// <summary>Counts an attempt in flight on the destination until the returned scope is disposed.</summary>
    public InFlight Enter(Destination destination)
    {
        var counter = _inFlight.GetValue(destination.State, static _ => new StrongBox<int>());
        destination.State.ConcurrentRequestCount = Interlocked.Increment(ref counter.Value);
        return new InFlight(destination.State, counter);
    }

    /// <summary>Reports a finished attempt to the cluster's passive health policy, which reads the forwarder's error from the context.</summary>
    public void Proxied(HttpContext context, Destination destination)
    {
        var config = destination.Cluster.Model.Config.HealthCheck?.Passive;
        if (config is { Enabled: true, Policy: { } name } && _passive.TryGetValue(name, out var policy))
        {
            policy.RequestProxied(context, destination.Cluster, destination.State);
        }
    }

    public readonly struct InFlight(DestinationState state, StrongBox<int> counter) : IDisposable
    {
        public void Dispose() => state.ConcurrentRequestCount = Interlocked.Decrement(ref counter.Value);
    }
}
