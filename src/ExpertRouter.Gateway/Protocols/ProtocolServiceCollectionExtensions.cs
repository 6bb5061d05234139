using ExpertRouter.Gateway.Protocols.Messages;
using ExpertRouter.Gateway.Protocols.Responses;
using ExpertRouter.Gateway.Protocols.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Protocols;

public static class ProtocolServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Responses API and Anthropic Messages translators: random ids, the system clock unless a
    /// <see cref="TimeProvider"/> is registered, and stored responses in process unless a store is registered (see
    /// <see cref="AddRedisResponseState"/>).
    /// </summary>
    public static IServiceCollection AddClientProtocols(this IServiceCollection services, ResponseStateOptions? stateOptions = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(ProtocolIds.Random);
        services.TryAddSingleton(stateOptions ?? new ResponseStateOptions());
        services.TryAddSingleton<IResponseStateStore>(provider =>
            new InProcessResponseStateStore(provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ResponseStateOptions>()));
        services.TryAddSingleton<ResponsesProtocol>();
        services.TryAddSingleton<AnthropicMessagesProtocol>();
        return services;
    }

    /// <summary>Keeps stored responses in Redis, shared by every replica, through the registered <see cref="IConnectionMultiplexer"/>.</summary>
    public static IServiceCollection AddRedisResponseState(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.RemoveAll<IResponseStateStore>();
        services.AddSingleton<IResponseStateStore>(provider =>
            new RedisResponseStateStore(provider.GetRequiredService<IConnectionMultiplexer>(), provider.GetRequiredService<TimeProvider>()));
        return services;
    }
}
