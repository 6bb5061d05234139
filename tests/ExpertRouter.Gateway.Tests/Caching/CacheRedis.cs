using ExpertRouter.Testing;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Tests.Caching;

/// <summary>
/// The cache tests' connection to the shared test Redis (<see cref="RedisTestServer"/>: CI's redis-server, else
/// Garnet in process, else a redis-server child). Tests marked <see cref="RedisFactAttribute"/> skip without one.
/// </summary>
public sealed class CacheRedis : IDisposable
{
    private ConnectionMultiplexer? _connection;

    public string Endpoint => RedisTestServer.Shared?.Endpoint ?? throw new InvalidOperationException(RedisTestServer.UnavailableReason);

    public ConnectionMultiplexer Connection => _connection ??= RedisTestServer.Shared!.Connect();

    public void Dispose() => _connection?.Dispose();
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<CacheRedis>
{
    public const string Name = "cache-redis";
}
