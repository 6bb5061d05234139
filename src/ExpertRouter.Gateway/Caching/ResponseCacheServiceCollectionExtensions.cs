using ExpertRouter.Core.Caching;
using ExpertRouter.Gateway.Caching.Semantic;
using ExpertRouter.Gateway.Caching.Semantic.Redis;
using ExpertRouter.Gateway.Caching.Stores;
using ExpertRouter.Gateway.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Caching;

public static class ResponseCacheServiceCollectionExtensions
{
    /// <summary>
    /// Registers the response cache: in process by default, Redis (falling back to in process while it is down)
    /// when <see cref="CacheSettings.Redis"/> is set, with the semantic index shared through the same Redis
    /// (<see cref="RedisSemanticIndex"/>). Replace <see cref="ITenantCachePolicy"/> or
    /// <see cref="ITextEmbedder"/> (the default, hashed embedder) by registering them first. Sentence-encoder embedders
    /// that tenants name are loaded by <see cref="CacheEmbedders"/>.
    /// </summary>
    public static IServiceCollection AddResponseCache(this IServiceCollection services, CacheSettings settings)
    {
        services.AddSingleton(settings);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ITenantCachePolicy>(new ConfiguredTenantCachePolicy(settings));
        services.TryAddSingleton<ITextEmbedder>(new HashedTextEmbedder(settings.EmbeddingDimensions));
        services.TryAddSingleton(sp => new CacheEmbedders(
            settings, sp.GetRequiredService<ITextEmbedder>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("ExpertRouter.Cache")));
        services.AddSingleton<SingleFlight>();
        services.AddSingleton<CacheMetrics>();
        services.AddSingleton<CacheSavings>();
        if (!string.IsNullOrWhiteSpace(settings.Redis))
        {
            services.TryAddSingleton(sp => new ResponseCacheRedis(settings.Redis, sp.GetRequiredService<IHostApplicationLifetime>()));
        }

        services.TryAddSingleton(sp => CreateIndex(sp, settings));
        services.TryAddSingleton(sp => CreateStore(sp, settings));
        services.AddSingleton(sp => new ResponseCache(
            sp.GetRequiredService<IResponseCacheStore>(),
            sp.GetRequiredService<ISemanticIndex>(),
            sp.GetRequiredService<ITextEmbedder>(),
            sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    private static IResponseCacheStore CreateStore(IServiceProvider services, CacheSettings settings)
    {
        var time = services.GetRequiredService<TimeProvider>();
        var local = new InProcessResponseCacheStore(time, settings.MaxEntries, settings.MaxBytes);
        if (string.IsNullOrWhiteSpace(settings.Redis))
        {
            return local;
        }

        var redis = services.GetRequiredService<ResponseCacheRedis>().Connection;
        return new ResilientResponseCacheStore(
            new RedisResponseCacheStore(redis, time),
            () => redis.IsConnected,
            local,
            services.GetRequiredService<ILogger<ResilientResponseCacheStore>>());
    }

    private static ISemanticIndex CreateIndex(IServiceProvider services, CacheSettings settings)
    {
        var time = services.GetRequiredService<TimeProvider>();
        var local = new InProcessSemanticIndex(time, settings.MaxEntries);
        return string.IsNullOrWhiteSpace(settings.Redis)
            ? local
            : new RedisSemanticIndex(
                services.GetRequiredService<ResponseCacheRedis>().Connection, time, local, settings.MaxEntries, settings.SemanticCatchUp,
                services.GetRequiredService<ILogger<RedisSemanticIndex>>());
    }
}

/// <summary>The cache's one Redis connection, shared by the entry store and the semantic index.</summary>
public sealed class ResponseCacheRedis
{
    public ResponseCacheRedis(string configuration, IHostApplicationLifetime lifetime)
    {
        var options = ConfigurationOptions.Parse(configuration);
        // Start even when Redis is down; store and index work in process until it connects.
        options.AbortOnConnectFail = false;
        Connection = ConnectionMultiplexer.Connect(options);
        lifetime.ApplicationStopped.Register(Connection.Dispose);
    }

    public IConnectionMultiplexer Connection { get; }
}
