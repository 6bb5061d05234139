using ExpertRouter.Gateway.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ExpertRouter.Gateway.Exploration;

public static class ExplorationServiceCollectionExtensions
{
    /// <summary>Exploration: its sampler (a test's, seeded, is kept), budget, queue and background worker.</summary>
    public static IServiceCollection AddExploration(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new ExplorationSampler(sp.GetRequiredService<IOptions<GatewayOptions>>().Value.Exploration.Seed));
        services.AddSingleton<ExplorationBudget>();
        services.AddSingleton<ExplorationMetrics>();
        services.AddSingleton<ExplorationQueue>();
        services.AddSingleton<Explorer>();
        services.AddHostedService<ExplorationWorker>();
        return services;
    }
}
