using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.Resilience;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;

namespace ExpertRouter.Gateway.Experts;

/// <summary>
/// Translates experts into YARP routes and clusters: one cluster per expert (its base URLs are the destinations,
/// load balanced with passive health), and one route per OpenAI endpoint whose cluster the routing steps reassign.
/// </summary>
public static class ExpertProxyConfig
{
    public const string ChatRouteId = "chat-completions";
    public const string EmbeddingsRouteId = "embeddings";

    /// <summary>Placeholder cluster the routes start on; the pipeline always reassigns before forwarding.</summary>
    public const string UnroutedClusterId = "__unrouted";

    public static IReadOnlyList<RouteConfig> Routes() =>
    [
        Route(ChatRouteId, "/v1/chat/completions"),
        Route(EmbeddingsRouteId, "/v1/embeddings"),
    ];

    public static IReadOnlyList<ClusterConfig> Clusters(IEnumerable<ExpertDefinition> experts, TimeSpan upstreamTimeout, ActiveHealthCheckOptions? active = null) =>
        experts.Select(e => Cluster(e, upstreamTimeout, active))
            .Append(new ClusterConfig { ClusterId = UnroutedClusterId, Destinations = new Dictionary<string, DestinationConfig>() })
            .ToArray();

    private static RouteConfig Route(string id, string path) => new()
    {
        RouteId = id,
        ClusterId = UnroutedClusterId,
        Match = new RouteMatch { Path = path, Methods = ["POST"] },
        // Base URLs end in /v1 like OpenAI's, so the incoming /v1 prefix is dropped before appending.
        Transforms = [new Dictionary<string, string> { ["PathRemovePrefix"] = "/v1" }],
    };

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
