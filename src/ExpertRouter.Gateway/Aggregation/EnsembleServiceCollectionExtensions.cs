using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Experts;
using ExpertRouter.Gateway.Resilience;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.SemanticKernel.ChatCompletion;
using Yarp.ReverseProxy;

namespace ExpertRouter.Gateway.Aggregation;

public static class EnsembleServiceCollectionExtensions
{
    /// <summary>
    /// Registers the ensemble machinery: one <see cref="ExpertClient"/> and one Semantic Kernel chat service per chat
    /// expert (keyed by expert id, which is the <c>ServiceId</c> the judge and aggregator prompts select), the call
    /// pipeline they share with the gateway's cache and resilience, the prompt functions, the strategies and the budget hook.
    /// </summary>
    public static IServiceCollection AddEnsembles(this IServiceCollection services, GatewayOptions options, IReadOnlyList<ExpertDefinition> experts)
    {
        var upstreamTimeout = TimeSpan.FromSeconds(options.UpstreamTimeoutSeconds);
        services.AddHttpClient(ExpertClient.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        foreach (var expert in experts.Where(e => e.Capabilities.Chat))
        {
            services.AddKeyedSingleton(expert.Id, (provider, _) =>
            {
                // The expert's own first-token and total limits, as on the forwarded path, within the gateway's upstream timeout.
                var limits = provider.GetRequiredService<ExpertTimeoutTable>().For(expert.Id);
                return new ExpertClient(
                    expert,
                    provider.GetRequiredService<IHttpClientFactory>(),
                    provider.GetRequiredService<ExpertCredentials>(),
                    provider.GetRequiredService<TimeProvider>(),
                    limits with { Total = limits.Total < upstreamTimeout ? limits.Total : upstreamTimeout });
            });
            services.AddKeyedSingleton<IChatCompletionService>(expert.Id, (provider, _) =>
                new ExpertChatCompletionService(expert.Id, provider.GetRequiredService<ExpertCallPipeline>(), upstreamTimeout));
        }

        services.AddSingleton(provider => new ExpertCallPipeline(
            id => provider.GetRequiredKeyedService<ExpertClient>(id),
            provider.GetRequiredService<IProxyStateLookup>(),
            provider.GetRequiredService<ExpertCircuits>(),
            provider.GetRequiredService<UpstreamRetryPipeline>(),
            provider.GetRequiredService<TimeProvider>(),
            TimeSpan.FromSeconds(options.Resilience.MaxRetryAfterSeconds),
            provider.GetRequiredService<ILogger<ExpertCallPipeline>>()));

        services.AddSingleton<EnsemblePrompts>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEnsembleStrategy, VoteStrategy>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEnsembleStrategy, FanOutStrategy>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEnsembleStrategy, JudgeStrategy>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEnsembleStrategy, MixtureStrategy>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEnsembleStrategy, CascadeStrategy>());
        services.AddSingleton<EnsembleRegistry>();
        services.TryAddSingleton<IEnsembleBudget, TenantAccountingEnsembleBudget>();
        return services;
    }
}
