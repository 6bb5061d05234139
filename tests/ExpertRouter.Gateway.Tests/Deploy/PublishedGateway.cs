using System.Diagnostics;
using System.Net;
using System.Runtime.Versioning;
using System.Net.Sockets;

namespace ExpertRouter.Gateway.Tests.Deploy;

/// <summary>
/// The gateway published (<c>dotnet publish --no-build</c> of the build the tests already made) into a temporary
/// folder and started the way deploy/Dockerfile's ENTRYPOINT starts it: <c>dotnet ExpertRouter.Gateway.dll</c> from
/// the app folder, configured only by the environment given, as an unprivileged user when the tests run as root.
/// </summary>
// The container is Linux; the test depends on Unix file modes and users.
[UnsupportedOSPlatform("windows")]
public sealed class PublishedGateway : IDisposable
{
    private const int Nobody = 65534;
    private readonly List<string> _output = [];
    private Process? _process;

    private PublishedGateway(string root)
    {
        Root = root;
        AppFolder = Path.Combine(root, "app");
    }

    public string Root { get; }

    public string AppFolder { get; }

    public Uri? Address { get; private set; }

    public int ProcessId => _process?.Id ?? 0;

    /// <summary>True when the process runs as 'nobody' (the tests run as root and setpriv exists).</summary>
    public bool Unprivileged { get; private set; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join(Environment.NewLine, _output);
            }
        }
    }

    public static async Task<PublishedGateway> PublishAsync()
    {
        var repository = RepositoryRoot();
        // bin/<Configuration>/<tfm>/: publish the configuration these tests were built in, without building again.
        var configuration = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)))!;
        var root = Directory.CreateTempSubdirectory("er-published-").FullName;
        File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var gateway = new PublishedGateway(root);
        var publish = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "publish", Path.Combine(repository, "src", "ExpertRouter.Gateway", "ExpertRouter.Gateway.csproj"),
            "-c", configuration, "--no-build", "-o", gateway.AppFolder, "-p:UseAppHost=false", "-nologo",
        })
        {
            publish.ArgumentList.Add(arg);
        }

        using var process = Process.Start(publish)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            gateway.Dispose();
            Assert.Fail($"dotnet publish failed:{Environment.NewLine}{await output}{await errors}");
        }

        return gateway;
    }

    /// <summary>Starts the published app with exactly <paramref name="environment"/> (plus PATH) as its environment.</summary>
    public void Start(IReadOnlyDictionary<string, string> environment)
    {
        var port = FreePort();
        Unprivileged = Environment.UserName == "root" && File.Exists("/usr/bin/setpriv");
        var start = new ProcessStartInfo(Unprivileged ? "/usr/bin/setpriv" : DotnetHost())
        {
            WorkingDirectory = AppFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Unprivileged)
        {
            foreach (var arg in new[] { $"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups", DotnetHost() })
            {
                start.ArgumentList.Add(arg);
            }
        }

        start.ArgumentList.Add(Path.Combine(AppFolder, "ExpertRouter.Gateway.dll"));
        start.Environment.Clear();
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        Address = new Uri($"http://127.0.0.1:{port}");
        start.Environment["ASPNETCORE_URLS"] = Address.ToString().TrimEnd('/');
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Record(e.Data);
        _process.ErrorDataReceived += (_, e) => Record(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Polls <c>/healthz</c> (what the image's HEALTHCHECK probes); fails with the output if it never answers.</summary>
    public async Task WaitUntilHealthyAsync(HttpClient client)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            Assert.False(_process!.HasExited, $"the gateway exited with {(_process.HasExited ? _process.ExitCode : 0)}:{Environment.NewLine}{Output}");
            try
            {
                using var response = await client.GetAsync(new Uri(Address!, "/healthz"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        Assert.Fail($"/healthz never answered 200:{Environment.NewLine}{Output}");
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process?.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    private static string DotnetHost() => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ExpertRouter.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("ExpertRouter.sln not found above " + AppContext.BaseDirectory);
    }

    private void Record(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.Add(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
