using ExpertRouter.Gateway.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.RequestLog;

public static class RequestLogServiceCollectionExtensions
{
    /// <summary>
    /// The request log: its queue and request index always (disabled without a directory), and, when a directory is
    /// set, the worker and the sinks: Redis streams when <c>ExpertRouter:Redis</c> is set, JSONL files otherwise and
    /// as the fallback. A sink registered before this one (a test's) is kept.
    /// </summary>
    public static IServiceCollection AddRequestLog(this IServiceCollection services, GatewayOptions options)
    {
        var settings = options.RequestLog;
        var redis = settings.UseRedis && !string.IsNullOrEmpty(options.Redis);
        services.AddSingleton<RequestLogMetrics>();
        services.AddSingleton(sp => new RequestIndex(
            settings, sp.GetRequiredService<TimeProvider>(), redis && settings.Enabled ? sp.GetRequiredService<IConnectionMultiplexer>() : null));
        services.AddSingleton<RequestLogQueue>();
        if (!settings.Enabled)
        {
            return services;
        }

        services.TryAddSingleton<IRequestLogSink>(sp => new LogSinks(
            new FileLogSink(settings, sp.GetRequiredService<TimeProvider>()),
            redis ? new RedisStreamLogSink(sp.GetRequiredService<IConnectionMultiplexer>(), settings) : null,
            sp.GetRequiredService<RequestLogMetrics>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<LogSinks>>()));
        services.AddHostedService<RequestLogWorker>();
        return services;
    }
}

/// <summary>Start-up checks of the request log: a directory that cannot be written stops the gateway, naming it.</summary>
public static class RequestLogStartup
{
    public static IReadOnlyList<string> Check(RequestLogOptions options)
    {
        if (!options.Enabled)
        {
            return [];
        }

        var directory = Path.GetFullPath(options.Directory!);
        try
        {
            Directory.CreateDirectory(directory);
            var probe = Path.Combine(directory, ".write-test-" + Guid.NewGuid().ToString("N"));
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return [$"ExpertRouter:RequestLog:Directory: the request log directory '{directory}' cannot be written ({ex.Message})."];
        }
    }
}
