using ExpertRouter.Core.Telemetry;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Policies;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Tenants;

/// <summary>
/// Loads the tenant policies once at start-up, so a bad policy file stops the gateway with every error listed
/// (file:line), then starts watching the folder and says where accounting lives.
/// </summary>
internal static partial class TenantStartup
{
    public static IReadOnlyList<string> Check(IServiceProvider services, GatewayOptions options)
    {
        if (options.Accounting.Validate().ToList() is { Count: > 0 } accountingErrors)
        {
            return accountingErrors;
        }

        ITenantDirectory directory;
        try
        {
            directory = services.GetRequiredService<ITenantDirectory>();
        }
        catch (PolicyValidationException ex)
        {
            return [.. ex.Errors.Select(e => $"ExpertRouter:Policies: {e}")];
        }

        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("ExpertRouter.Tenants");
        if (directory is PolicyDirectory policies)
        {
            policies.StartWatching();
            Log.PoliciesLoaded(logger, policies.Tenants.Count, policies.FullPath);
        }

        ITenantAccounting accounting;
        try
        {
            accounting = services.GetRequiredService<ITenantAccounting>();
        }
        catch (ArgumentException)
        {
            // A malformed Redis connection string; GatewayOptionsValidator has already listed it.
            return [];
        }

        services.GetRequiredService<TenantGauges>();
        if (accounting is ResilientTenantAccounting)
        {
            // Endpoints only: the connection string may hold a password.
            var endpoints = string.Join(",", ConfigurationOptions.Parse(options.Redis!).EndPoints.Select(e => e.ToString()));
            var connected = services.GetRequiredService<IConnectionMultiplexer>().IsConnected;
            Log.RedisAccounting(logger, endpoints, connected);
        }
        else
        {
            Log.InProcessAccounting(logger);
        }

        return [];
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.PoliciesLoaded, Level = LogLevel.Information, Message = "{Count} tenant policies loaded from {Folder}; watching it for changes.")]
        public static partial void PoliciesLoaded(ILogger logger, int count, string folder);

        [LoggerMessage(EventId = LogEvents.AccountingInRedis, Level = LogLevel.Information, Message = "Accounting in Redis at {Endpoints} (connected: {Connected}); in-process while it is unreachable.")]
        public static partial void RedisAccounting(ILogger logger, string endpoints, bool connected);

        [LoggerMessage(EventId = LogEvents.AccountingInProcess, Level = LogLevel.Information, Message = "Accounting in-process: budgets and rate limits hold per replica only (use --redis to share them).")]
        public static partial void InProcessAccounting(ILogger logger);
    }
}
