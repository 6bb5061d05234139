using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Accounting.InProcess;
using ExpertRouter.Gateway.Accounting.Redis;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Policies;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Experts;
using ExpertRouter.Gateway.Routing;
using ExpertRouter.Gateway.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Tenants;

public static class TenantServiceCollectionExtensions
{
    /// <summary>
    /// Tenants and their accounting: policies from a hot-reloaded folder (or inline configuration), and budgets,
    /// rate limits and the ledger in Redis when a connection string is given, in-process otherwise.
    /// </summary>
    public static IServiceCollection AddTenantState(this IServiceCollection services, GatewayOptions options)
    {
        if (options.Policies is null && options.Tenants.Count > 0)
        {
            services.AddSingleton<ITenantDirectory>(new ConfiguredTenantDirectory(options.Tenants));
        }
        else
        {
            var folder = options.Policies is { } configured ? Path.GetFullPath(configured) : Path.Combine(AppContext.BaseDirectory, "policies");
            services.AddSingleton(sp => PolicyDirectory.Load(
                new PolicyDirectoryOptions
                {
                    Directory = folder,
                    KnownExperts = sp.GetRequiredService<ExpertCatalog>().All.Select(e => e.Id).ToHashSet(StringComparer.Ordinal),
                    KnownRouters = sp.GetRequiredService<RouterRegistry>().Names.ToHashSet(StringComparer.Ordinal),
                },
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<PolicyDirectory>>()));
            services.AddSingleton<ITenantDirectory>(sp => sp.GetRequiredService<PolicyDirectory>());
        }

        var accounting = options.Accounting;
        services.AddSingleton(accounting);
        services.AddSingleton<InProcessTenantAccounting>(sp => new InProcessTenantAccounting(sp.GetRequiredService<TimeProvider>(), accounting));
        if (options.Redis is { Length: > 0 } connectionString)
        {
            services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(RedisOptions(connectionString)));
            services.AddSingleton(sp => new RedisTenantAccounting(
                sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<TimeProvider>(), accounting, sp.GetRequiredService<ILogger<RedisTenantAccounting>>()));
            services.AddSingleton(sp => new ResilientTenantAccounting(
                sp.GetRequiredService<RedisTenantAccounting>(), sp.GetRequiredService<InProcessTenantAccounting>(), sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<ResilientTenantAccounting>>(), accounting));
            services.TryAddSingleton<ITenantAccounting>(sp => sp.GetRequiredService<ResilientTenantAccounting>());
            services.TryAddSingleton<ITenantLedger>(sp => sp.GetRequiredService<ResilientTenantAccounting>());
            services.AddHostedService<StateStoreRecovery>();
        }
        else
        {
            services.TryAddSingleton<ITenantAccounting>(sp => sp.GetRequiredService<InProcessTenantAccounting>());
            services.TryAddSingleton<ITenantLedger>(sp => sp.GetRequiredService<InProcessTenantAccounting>());
        }

        services.AddSingleton<TenantGauges>();
        services.AddHealthChecks()
            .AddCheck<StateStoreReadyCheck>("state-store", tags: [HealthTags.Ready])
            .AddCheck<PolicyFilesReadyCheck>("policies", tags: [HealthTags.Ready]);
        return services;
    }

    /// <summary>
    /// Never blocks start-up on Redis and never queues commands while it is away: a call fails at once and the
    /// accounting serves it in-process (degraded) instead of making the client wait.
    /// </summary>
    internal static ConfigurationOptions RedisOptions(string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ClientName ??= "expertrouter-gateway";
        return options;
    }
}
