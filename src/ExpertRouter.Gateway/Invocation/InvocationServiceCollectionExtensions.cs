using System.Diagnostics.Metrics;
using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.Capacity;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Experts;
using ExpertRouter.Gateway.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;

namespace ExpertRouter.Gateway.Invocation;

public static class InvocationServiceCollectionExtensions
{
    /// <summary>
    /// Everything that calls experts: YARP's clusters (one per expert, with its connect limit on the client), the
    /// limits, retries and circuits, and the one <see cref="ExpertInvoker"/> that forwarding and background calls share.
    /// </summary>
    public static IServiceCollection AddExpertInvocation(this IServiceCollection services, GatewayOptions options, IReadOnlyList<ExpertDefinition> experts)
    {
        var resilience = options.Resilience;
        services.AddSingleton(new ExpertTimeoutTable(experts, resilience.DefaultTimeouts));
        // Registered before AddReverseProxy, whose TryAdd then keeps this factory.
        services.TryAddSingleton<IForwarderHttpClientFactory, ExpertHttpClientFactory>();
        services.AddReverseProxy().LoadFromMemory([], ExpertClusters.For(experts, TimeSpan.FromSeconds(options.UpstreamTimeoutSeconds), resilience.ActiveHealthCheck));
        services.AddSingleton(provider => new ExpertCircuits(
            experts,
            resilience.CircuitBreaker,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IMeterFactory>(),
            provider.GetRequiredService<ILogger<ExpertCircuits>>()));
        services.AddSingleton(provider =>
        {
            var circuits = provider.GetRequiredService<ExpertCircuits>();
            return new UpstreamRetryPipeline(
                resilience,
                provider.GetRequiredService<TimeProvider>(),
                UpstreamRetryPipeline.JitterSource(resilience.JitterSeed),
                (attempt, _) => circuits.Retried(attempt.Expert, attempt.Reason));
        });
        services.AddSingleton(provider => new ExpertDestinations(
            provider.GetRequiredService<IProxyStateLookup>(),
            provider.GetServices<ILoadBalancingPolicy>(),
            provider.GetServices<IPassiveHealthCheckPolicy>()));
        services.AddSingleton(provider => new ExpertInvoker(
            provider.GetRequiredService<IHttpForwarder>(),
            provider.GetRequiredService<ExpertDestinations>(),
            provider.GetRequiredService<ExpertCircuits>(),
            provider.GetRequiredService<ExpertTimeoutTable>(),
            provider.GetRequiredService<UpstreamRetryPipeline>(),
            new ExpertTransformer(provider.GetRequiredService<ExpertCredentials>(), provider.GetRequiredService<TimeProvider>(), provider.GetService<CapacityTracker>()),
            provider.GetRequiredService<GatewayMetrics>(),
            provider.GetRequiredService<TimeProvider>(),
            TimeSpan.FromSeconds(resilience.MaxRetryAfterSeconds),
            provider.GetRequiredService<ILogger<ExpertInvoker>>(),
            provider.GetService<CapacityTracker>()));
        services.AddSingleton<ChatCaller>();
        services.AddHealthChecks().AddCheck<CircuitsReadyCheck>("circuits", tags: [HealthTags.Ready]);
        return services;
    }
}
