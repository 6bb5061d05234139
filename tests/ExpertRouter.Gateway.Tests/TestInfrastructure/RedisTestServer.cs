using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Garnet;
using StackExchange.Redis;

namespace ExpertRouter.Testing;

/// <summary>
/// A real RESP server for the Redis tests: the one named by EXPERTROUTER_TEST_REDIS (CI starts Debian's
/// redis-server), else Garnet hosted in this process, else a redis-server child process on a free loopback port.
/// </summary>
public sealed class RedisTestServer : IDisposable
{
    public const string EnvironmentVariable = RedisStreamServer.EnvironmentVariable;

    private static readonly Lazy<RedisTestServer?> SharedServer = new(StartShared);
    private static string? _unavailableReason;

    private GarnetServer? _garnet;
    private string[] _garnetOptions = [];
    private Process? _redisProcess;

    private RedisTestServer(string endpoint, string kind)
    {
        Endpoint = endpoint;
        Kind = kind;
    }

    public string Endpoint { get; }

    /// <summary>external, garnet or redis-server.</summary>
    public string Kind { get; }

    /// <summary>The server shared by the contract tests, or null (see <see cref="UnavailableReason"/>).</summary>
    public static RedisTestServer? Shared => SharedServer.Value;

    public static string? UnavailableReason => SharedServer.Value is null ? _unavailableReason : null;

    /// <summary>A server this test owns and may stop and restart on the same port (never the external one).</summary>
    public static RedisTestServer? StartOwned()
    {
        var port = FreePort();
        var server = new RedisTestServer($"127.0.0.1:{port}", "garnet");
        return server.TryStartGarnet(port) ? server : StartRedisServerProcess(port);
    }

    /// <summary>A redis-server child process on a free loopback port (never Garnet); null when redis-server is not installed.</summary>
    public static RedisTestServer? StartRedisServer() => StartRedisServerProcess(FreePort());

    /// <summary>Garnet in this process with its vector sets (VADD, VSIM, VREM) switched on; null when it does not start.</summary>
    public static RedisTestServer? StartGarnetWithVectorSets()
    {
        var port = FreePort();
        var server = new RedisTestServer($"127.0.0.1:{port}", "garnet") { _garnetOptions = ["--enable-vector-set-preview"] };
        return server.TryStartGarnet(port) ? server : null;
    }

    public static ConfigurationOptions Options(string endpoint)
    {
        var options = ConfigurationOptions.Parse(endpoint);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectTimeout = 2000;
        options.SyncTimeout = 5000;
        options.AsyncTimeout = 5000;
        options.ReconnectRetryPolicy = new LinearRetry(200);
        return options;
    }

    public ConnectionMultiplexer Connect() => ConnectionMultiplexer.Connect(Options(Endpoint));

    public void Stop()
    {
        _garnet?.Dispose();
        _garnet = null;
        if (_redisProcess is { HasExited: false } process)
        {
            process.Kill();
            process.WaitForExit(5000);
        }

        _redisProcess = null;
    }

    /// <summary>Starts an empty server again on the same port, as a restarted Redis without persistence would be.</summary>
    public bool Restart()
    {
        Stop();
        var port = int.Parse(Endpoint.Split(':')[1]);
        if (Kind == "garnet")
        {
            return TryStartGarnet(port);
        }

        _redisProcess = StartRedisProcess(port);
        return _redisProcess is not null;
    }

    public void Dispose() => Stop();

    private static RedisTestServer? StartShared()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } external)
        {
            return new RedisTestServer(external, "external");
        }

        var owned = StartOwned();
        if (owned is null)
        {
            _unavailableReason = $"No Redis for these tests: {EnvironmentVariable} is unset, Garnet did not start and redis-server is not installed.";
        }

        return owned;
    }

    private bool TryStartGarnet(int port)
    {
        try
        {
            _garnet = new GarnetServer(["--bind", "127.0.0.1", "--port", port.ToString(), "--lua", "true", "-q", "--index", "64k", "--memory", "64m", .. _garnetOptions]);
            _garnet.Start();
            return true;
        }
        catch (Exception)
        {
            _garnet?.Dispose();
            _garnet = null;
            return false;
        }
    }

    private static RedisTestServer? StartRedisServerProcess(int port)
    {
        var process = StartRedisProcess(port);
        return process is null ? null : new RedisTestServer($"127.0.0.1:{port}", "redis-server") { _redisProcess = process };
    }

    private static Process? StartRedisProcess(int port)
    {
        var binary = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists);
        if (binary is null)
        {
            return null;
        }

        var process = Process.Start(new ProcessStartInfo(binary, $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        });
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var probe = new TcpClient();
                probe.Connect(IPAddress.Loopback, port);
                return process;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        process?.Kill();
        return null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A fact that needs a RESP server; skipped, with the reason, when none can be found or started.</summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (RedisTestServer.UnavailableReason is { } reason)
        {
            Skip = reason;
        }
    }
}
