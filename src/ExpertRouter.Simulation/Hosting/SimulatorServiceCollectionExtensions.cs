using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ExpertRouter.Simulation;

public static class SimulatorServiceCollectionExtensions
{
    /// <summary>
    /// Registers the simulator's services; pair with <see cref="SimulatorEndpointExtensions.MapSimulatedExperts(Microsoft.AspNetCore.Routing.IEndpointRouteBuilder)"/>.
    /// Throws <see cref="SimulatorOptionsException"/> listing every problem when <paramref name="options"/> are invalid.
    /// Uses the registered <see cref="TimeProvider"/>, or the system clock when there is none.
    /// </summary>
    public static IServiceCollection AddSimulatedExperts(this IServiceCollection services, SimulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new SimulatorOptionsException(problems);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton(provider => new SimulatorRuntime(options, provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => provider.GetRequiredService<SimulatorRuntime>().Counter);
        services.AddSingleton<GenerationTurns>();
        services.AddSingleton<ChatCompletionHandler>();
        services.AddSingleton<EmbeddingHandler>();
        services.AddSingleton<ModelsHandler>();
        services.AddSingleton<RequestCountsHandler>();
        return services;
    }
}

/// <summary>Start-up failure carrying every problem found in <see cref="SimulatorOptions"/>.</summary>
public sealed class SimulatorOptionsException(IReadOnlyList<string> problems)
    : Exception("Invalid simulator options:" + Environment.NewLine + string.Join(Environment.NewLine, problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
