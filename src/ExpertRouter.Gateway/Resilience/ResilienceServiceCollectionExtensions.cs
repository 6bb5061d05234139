using System.Diagnostics.Metrics;
using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Hosting;
using ExpertRouter.Gateway.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Forwarder;

namespace ExpertRouter.Gateway.Resilience;

internal static class ResilienceServiceCollectionExtensions
{
    /// <summary>Time limits per expert (connect via YARP's client factory), retries, circuits, and the readiness checks of circuits and state store.</summary>
    public static IServiceCollection AddExpertResilience(this IServiceCollection services, GatewayOptions options, IReadOnlyList<ExpertDefinition> experts)
    {
        var resilience = options.Resilience;
        services.AddSingleton(new ExpertTimeoutTable(experts, resilience.DefaultTimeouts));
        // Registered before AddReverseProxy, whose TryAdd then keeps this factory.
        services.TryAddSingleton<IForwarderHttpClientFactory, ExpertHttpClientFactory>();
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
                (outcome, _) => circuits.Retried(outcome.Expert, outcome.Failure ?? "?"));
        });
        services.AddHealthChecks()
            .AddCheck<CircuitsReadyCheck>("circuits", tags: [ExpertRouterServiceCollectionExtensions.ReadyTag])
            .AddCheck<StateStoreReadyCheck>("state-store", tags: [ExpertRouterServiceCollectionExtensions.ReadyTag]);
        return services;
    }
}
