using ExpertRouter.Testing;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Tests.Caching;

/// <summary>
/// A RESP server with vector sets for the tests of <c>VectorSetSemanticIndex</c>: Garnet in this process with
/// <c>--enable-vector-set-preview</c> (CI's Redis 7 has none). Started once, on a free loopback port.
/// </summary>
public static class VectorSetRedis
{
    private static readonly Lazy<RedisTestServer?> Server = new(RedisTestServer.StartGarnetWithVectorSets);
    private static readonly Lazy<ConnectionMultiplexer?> SharedConnection = new(() => Server.Value?.Connect());

    public static string Endpoint => Server.Value?.Endpoint ?? throw new InvalidOperationException("Garnet with vector sets did not start.");

    public static ConnectionMultiplexer Connection => SharedConnection.Value ?? throw new InvalidOperationException("Garnet with vector sets did not start.");

    public static bool Available => Server.Value is not null;
}

/// <summary>A fact that needs a server with vector sets; skipped when Garnet with vector sets does not start.</summary>
public sealed class VectorSetFactAttribute : FactAttribute
{
    public VectorSetFactAttribute()
    {
        if (!VectorSetRedis.Available)
        {
            Skip = "Garnet with vector sets (--enable-vector-set-preview) did not start in this process.";
        }
    }
}
