using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.Configuration;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Capacity;

public static class CapacityServiceCollectionExtensions
{
    /// <summary>
    /// The experts' capacity: quotas counted in Redis when the gateway has one (the connection the tenant accounting
    /// registers), in process otherwise; provider limits and first-token latency per expert; the tracker that the
    /// planner and the invoker share.
    /// </summary>
    public static IServiceCollection AddExpertCapacity(this IServiceCollection services, GatewayOptions options, IReadOnlyList<ExpertDefinition> experts)
    {
        var capacity = options.Capacity;
        services.AddSingleton(capacity);
        services.AddSingleton<CapacityMetrics>();
        if (options.Redis is { Length: > 0 })
        {
            services.AddSingleton<ICapacityStore>(sp => new RedisCapacityStore(
                sp.GetRequiredService<IConnectionMultiplexer>(), capacity, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<CapacityMetrics>(),
                sp.GetRequiredService<ILogger<RedisCapacityStore>>()));
        }
        else
        {
            services.AddSingleton<ICapacityStore, InProcessCapacityStore>();
        }

        services.AddSingleton(sp => new CapacityTracker(
            experts, sp.GetRequiredService<ICapacityStore>(), capacity, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<CapacityMetrics>(),
            sp.GetRequiredService<ILogger<CapacityTracker>>()));
        return services;
    }
}
