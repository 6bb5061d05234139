using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.Configuration;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;

namespace ExpertRouter.Gateway.Invocation;

/// <summary>
/// Translates experts into YARP clusters: one per expert, its base URLs the destinations, load balanced (power of two
/// choices) with passive health and optional active probes. YARP owns the clusters' health and HTTP clients; the
/// gateway's own endpoints decide where a request goes and forward it through <see cref="ExpertInvoker"/>, so YARP
/// needs no routes.
/// </summary>
public static class ExpertClusters
{
    public static IReadOnlyList<ClusterConfig> For(IEnumerable<ExpertDefinition> experts, TimeSpan upstreamTimeout, ActiveHealthCheckOptions? active = null) =>
        experts.Select(e => Cluster(e, upstreamTimeout, active)).ToArray();

    private static ClusterConfig Cluster(ExpertDefinition expert, TimeSpan upstreamTimeout, ActiveHealthCheckOptions? active) => new()
    {
        ClusterId = expert.Id,
        LoadBalancingPolicy = LoadBalancingPolicies.PowerOfTwoChoices,
        HealthCheck = new HealthCheckConfig
        {
            // YARP's default ("HealthyOrPanic") would send to an all-unhealthy expert anyway; here the next expert
            // of the ranking is the better panic mode, so an expert whose destinations all fail is skipped.
            AvailableDestinationsPolicy = HealthCheckConstants.AvailableDestinations.HealthyAndUnknown,
            Passive = new PassiveHealthCheckConfig
            {
                Enabled = true,
                Policy = HealthCheckConstants.PassivePolicy.TransportFailureRate,
                ReactivationPeriod = TimeSpan.FromSeconds(10),
            },
            // Probes GET base URL + path (the OpenAI model list by default); off unless configured.
            Active = active is { Enabled: true } ? new ActiveHealthCheckConfig
            {
                Enabled = true,
                Interval = TimeSpan.FromSeconds(active.IntervalSeconds),
                Timeout = TimeSpan.FromSeconds(active.TimeoutSeconds),
                Policy = HealthCheckConstants.ActivePolicy.ConsecutiveFailures,
                Path = active.Path,
            } : null,
        },
        HttpRequest = new Yarp.ReverseProxy.Forwarder.ForwarderRequestConfig { ActivityTimeout = upstreamTimeout },
        Destinations = expert.BaseUrls
            .Select((url, i) => (Key: $"{expert.Id}/{i}", Value: new DestinationConfig { Address = url }))
            .ToDictionary(x => x.Key, x => x.Value),
    };
}
