using ExpertRouter.Core.Caching;
using ExpertRouter.Gateway.Caching.Semantic;
using ExpertRouter.Gateway.Caching.Stores;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Caching;

public static class ResponseCacheServiceCollectionExtensions
{
    /// <summary>
    /// Registers the response cache: in process by default, Redis (falling back to in process while it is down)
    /// when <see cref="ResponseCacheSettings.Redis"/> is set. Replace <see cref="ITenantCachePolicy"/> or
    /// <see cref="ITextEmbedder"/> by registering them first.
    /// </summary>
    public static IServiceCollection AddResponseCache(this IServiceCollection services, ResponseCacheSettings settings)
    {
        services.AddSingleton(settings);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ITenantCachePolicy>(new ConfiguredTenantCachePolicy(settings));
        services.TryAddSingleton<ITextEmbedder>(new HashedTextEmbedder(settings.EmbeddingDimensions));
        services.AddSingleton<SingleFlight>();
        services.AddSingleton<CacheMetrics>();
        services.TryAddSingleton<ISemanticIndex>(sp => new InProcessSemanticIndex(
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ITextEmbedder>().Dimensions, settings.MaxEntries));
        services.TryAddSingleton(sp => CreateStore(sp, settings));
        services.AddSingleton(sp => new ResponseCache(
            sp.GetRequiredService<IResponseCacheStore>(),
            sp.GetRequiredService<ISemanticIndex>(),
            sp.GetRequiredService<ITextEmbedder>(),
            sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    private static IResponseCacheStore CreateStore(IServiceProvider services, ResponseCacheSettings settings)
    {
        var time = services.GetRequiredService<TimeProvider>();
        var local = new InProcessResponseCacheStore(time, settings.MaxEntries, settings.MaxBytes);
        if (string.IsNullOrWhiteSpace(settings.Redis))
        {
            return local;
        }

        var options = ConfigurationOptions.Parse(settings.Redis);
        // Start even when Redis is down; the resilient store caches in process until it connects.
        options.AbortOnConnectFail = false;
        var redis = ConnectionMultiplexer.Connect(options);
        services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(redis.Dispose);
        return new ResilientResponseCacheStore(
            new RedisResponseCacheStore(redis, time),
            () => redis.IsConnected,
            local,
            services.GetRequiredService<ILogger<ResilientResponseCacheStore>>());
    }
}
