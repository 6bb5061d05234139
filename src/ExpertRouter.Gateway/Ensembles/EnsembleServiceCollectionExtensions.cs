using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.SemanticKernel.ChatCompletion;

namespace ExpertRouter.Gateway.Ensembles;

public static class EnsembleServiceCollectionExtensions
{
    /// <summary>
    /// Registers the ensemble machinery: the member calls (cache, then the gateway's invoker), one Semantic Kernel chat
    /// service per chat expert (keyed by expert id, which is the <c>ServiceId</c> the judge and aggregator prompts
    /// select), the prompt functions and the strategies.
    /// </summary>
    public static IServiceCollection AddEnsembles(this IServiceCollection services, GatewayOptions options, IReadOnlyList<ExpertDefinition> experts)
    {
        var upstreamTimeout = TimeSpan.FromSeconds(options.UpstreamTimeoutSeconds);
        services.AddSingleton<EnsembleCalls>();
        foreach (var expert in experts.Where(e => e.Capabilities.Chat))
        {
            services.AddKeyedSingleton<IChatCompletionService>(expert.Id, (provider, _) =>
                new ExpertChatCompletionService(expert.Id, provider.GetRequiredService<EnsembleCalls>(), upstreamTimeout));
        }

        services.AddSingleton<EnsemblePrompts>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEnsembleStrategy, VoteStrategy>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEnsembleStrategy, FanOutStrategy>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEnsembleStrategy, JudgeStrategy>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEnsembleStrategy, MixtureStrategy>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEnsembleStrategy, CascadeStrategy>());
        services.AddSingleton<EnsembleStrategies>();
        return services;
    }
}
