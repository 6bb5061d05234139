using ExpertRouter.Testing;

namespace ExpertRouter.Gateway.Tests.Capacity;

/// <summary>
/// A Redis whose Lua scripts run atomically under concurrency, for the tests that count exact quotas across racing
/// replicas: the external server (EXPERTROUTER_TEST_REDIS, a redis-server in CI), else a redis-server child process.
/// Never Garnet, which does not run every script atomically under concurrency.
/// </summary>
internal static class AtomicRedis
{
    private static readonly Lazy<RedisTestServer?> Server = new(Start);

    public static RedisTestServer? Shared => Server.Value;

    public static string? UnavailableReason => Server.Value is null
        ? $"No redis-server for the concurrent quota tests: {RedisTestServer.EnvironmentVariable} is unset and redis-server is not installed (Garnet runs Lua scripts non-atomically under concurrency)."
        : null;

    private static RedisTestServer? Start()
    {
        if (RedisTestServer.Shared is { Kind: "external" } external)
        {
            return external;
        }

        var owned = RedisTestServer.StartRedisServer();
        if (owned is not null)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => owned.Dispose();
        }

        return owned;
    }
}

/// <summary>A fact that needs <see cref="AtomicRedis"/>; skipped, with the reason, without one.</summary>
public sealed class AtomicRedisFactAttribute : FactAttribute
{
    public AtomicRedisFactAttribute()
    {
        if (AtomicRedis.UnavailableReason is { } reason)
        {
            Skip = reason;
        }
    }
}
