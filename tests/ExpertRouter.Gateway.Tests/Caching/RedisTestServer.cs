using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace ExpertRouter.Gateway.Tests.Caching;

/// <summary>
/// The Redis the tests use: <c>EXPERTROUTER_TEST_REDIS</c> (host:port, set by CI) when given, else a
/// <c>redis-server</c> started here on a free loopback port. Tests are skipped when neither is there.
/// </summary>
public sealed class RedisTestServer : IAsyncLifetime
{
    public const string EnvironmentVariable = "EXPERTROUTER_TEST_REDIS";

    private Process? _server;

    public static string? SkipReason =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } || FindServerBinary() is not null
            ? null
            : $"Redis tests need {EnvironmentVariable}=host:port or a redis-server binary on PATH.";

    public string Endpoint { get; private set; } = "";

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (SkipReason is not null)
        {
            return;
        }

        Endpoint = Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } given ? given : StartServer();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                Connection = await ConnectionMultiplexer.ConnectAsync(Endpoint);
                await Connection.GetDatabase().PingAsync();
                return;
            }
            catch (RedisConnectionException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (Connection is not null)
        {
            await Connection.DisposeAsync();
        }

        if (_server is { HasExited: false })
        {
            _server.Kill();
            await _server.WaitForExitAsync();
        }

        _server?.Dispose();
    }

    private string StartServer()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        _server = Process.Start(new ProcessStartInfo(FindServerBinary()!, $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        });
        _server!.OutputDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        return $"127.0.0.1:{port}";
    }

    private static string? FindServerBinary() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, "redis-server"))
            .FirstOrDefault(File.Exists);
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisTestServer>
{
    public const string Name = "redis";
}

/// <summary>A fact that runs only where a Redis is available, and says why when it is skipped.</summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute() => Skip = RedisTestServer.SkipReason;
}
