using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
namespace ExpertRouter.Testing;

/// <summary>
/// A RESP server with streams (XADD, XRANGE) for the request log's Redis tests (the gateway writing it, the CLI
/// reading it). Garnet, which the other Redis tests host in process, has no streams, so this is the external server
/// (EXPERTROUTER_TEST_REDIS, a real redis-server in CI) or a redis-server child process on a free loopback port.
/// </summary>
public sealed class RedisStreamServer : IDisposable
{
    /// <summary>An external Redis for every Redis test (CI sets it to its redis-server).</summary>
    public const string EnvironmentVariable = "EXPERTROUTER_TEST_REDIS";

    private static readonly string? Binary = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists);
    private readonly Process? _process;

    private RedisStreamServer(string endpoint, Process? process)
    {
        Endpoint = endpoint;
        _process = process;
    }

    public string Endpoint { get; }

    public static string? UnavailableReason =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } || Binary is not null
            ? null
            : $"No Redis with streams: {EnvironmentVariable} is unset and redis-server is not installed (Garnet has no streams).";

    public static RedisStreamServer Start()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } external)
        {
            return new RedisStreamServer(external, null);
        }

        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var process = Process.Start(new ProcessStartInfo(Binary!, $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return new RedisStreamServer($"127.0.0.1:{port}", process);
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        process.Kill();
        throw new InvalidOperationException("redis-server did not start.");
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
    }
}

/// <summary>A fact that needs a Redis with streams; skipped, with the reason, when there is none.</summary>
public sealed class RedisStreamsFactAttribute : FactAttribute
{
    public RedisStreamsFactAttribute()
    {
        if (RedisStreamServer.UnavailableReason is { } reason)
        {
            Skip = reason;
        }
    }
}
