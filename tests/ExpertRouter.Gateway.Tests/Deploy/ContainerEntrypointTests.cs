using System.Net;
using System.Net.Http.Headers;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using ExpertRouter.Core.Tenants;

namespace ExpertRouter.Gateway.Tests.Deploy;

/// <summary>
/// The published gateway started as the container starts it (deploy/Dockerfile): environment-only configuration,
/// an app folder it cannot write, no home folder, only a private TMPDIR writable, and the policies in the layout
/// the kubelet gives a mounted ConfigMap. deploy/smoke-published.sh adds the HEALTHCHECK command and a live swap.
/// </summary>
// The container is Linux; the test depends on Unix file modes and users.
[UnsupportedOSPlatform("windows")]
public sealed class ContainerEntrypointTests : IDisposable
{
    private const string MetricsKey = "sk-metrics-for-the-published-gateway";
    private const UnixFileMode ReadAndList = UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead
        | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private PublishedGateway? _gateway;

    public void Dispose()
    {
        if (_gateway is not null)
        {
            // Writable again so the temporary folder can be removed.
            File.SetUnixFileMode(_gateway.AppFolder, ReadAndList | UnixFileMode.UserWrite);
            _gateway.Dispose();
        }
    }

    [Fact]
    public async Task PublishedApp_StartedLikeTheImageEntrypoint_ServesHealthReadinessChatAndMetrics()
    {
        _gateway = await PublishedGateway.PublishAsync();
        var policies = ConfigMapFolder(_gateway.Root, Path.Combine(_gateway.AppFolder, "policies", "demo.yaml"));
        var temp = Directory.CreateDirectory(Path.Combine(_gateway.Root, "tmp"), ReadAndList | UnixFileMode.UserWrite
            | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite | UnixFileMode.StickyBit).FullName;
        File.SetUnixFileMode(_gateway.AppFolder, ReadAndList);
        var filesBefore = Directory.GetFileSystemEntries(_gateway.AppFolder, "*", SearchOption.AllDirectories).Order().ToList();

        _gateway.Start(new Dictionary<string, string>
        {
            ["HOME"] = "/nonexistent",
            ["TMPDIR"] = temp,
            ["DOTNET_NOLOGO"] = "1",
            ["ExpertRouter__Policies"] = policies,
            ["Logging__LogLevel__Default"] = "Warning",
            ["ExpertRouter__Management__MetricsKeySha256"] = ApiKeyHash.Sha256Hex(MetricsKey),
        });
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await _gateway.WaitUntilHealthyAsync(client);

        using var ready = await client.GetAsync(new Uri(_gateway.Address!, "/readyz"));
        var readiness = await ready.Content.ReadAsStringAsync();
        using var chat = await ChatAsync(client, _gateway.Address!, "sk-expertrouter-demo");
        using var completion = JsonDocument.Parse(await chat.Content.ReadAsStringAsync());
        using var unauthenticated = await client.GetAsync(new Uri(_gateway.Address!, "/metrics"));
        using var scrape = new HttpRequestMessage(HttpMethod.Get, new Uri(_gateway.Address!, "/metrics"));
        scrape.Headers.Authorization = new AuthenticationHeaderValue("Bearer", MetricsKey);
        using var scraped = await client.SendAsync(scrape);
        var metrics = await scraped.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("irt-ze12", readiness, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal("assistant", completion.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("role").GetString());
        Assert.Contains("# TYPE ", metrics, StringComparison.Ordinal);
        Assert.Equal(filesBefore, Directory.GetFileSystemEntries(_gateway.AppFolder, "*", SearchOption.AllDirectories).Order().ToList());
        Assert.DoesNotContain("UnauthorizedAccessException", _gateway.Output, StringComparison.Ordinal);
        if (_gateway.Unprivileged)
        {
            var status = await File.ReadAllLinesAsync($"/proc/{_gateway.ProcessId}/status");
            Assert.StartsWith("Uid:\t65534\t", status.Single(line => line.StartsWith("Uid:", StringComparison.Ordinal)), StringComparison.Ordinal);
        }
    }

    /// <summary>The kubelet's layout: files in a timestamped folder, <c>..data</c> pointing at it, one link per key.</summary>
    private static string ConfigMapFolder(string root, string policyFile)
    {
        var folder = Directory.CreateDirectory(Path.Combine(root, "policies"), ReadAndList | UnixFileMode.UserWrite).FullName;
        var version = Directory.CreateDirectory(Path.Combine(folder, "..2026_01_01_00_00_00.000000001"), ReadAndList | UnixFileMode.UserWrite).FullName;
        var name = Path.GetFileName(policyFile);
        File.Copy(policyFile, Path.Combine(version, name));
        File.SetUnixFileMode(Path.Combine(version, name), UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.CreateSymbolicLink(Path.Combine(folder, "..data"), Path.GetFileName(version));
        File.CreateSymbolicLink(Path.Combine(folder, name), Path.Combine("..data", name));
        return folder;
    }

    private static Task<HttpResponseMessage> ChatAsync(HttpClient client, Uri address, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, "/v1/chat/completions"))
        {
            Content = new StringContent("""{"model":"auto","max_tokens":16,"messages":[{"role":"user","content":"Name a prime number."}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client.SendAsync(request);
    }
}
