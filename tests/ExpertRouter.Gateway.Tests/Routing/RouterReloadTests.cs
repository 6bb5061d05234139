using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Tests.Functional;
using ExpertRouter.Gateway.Tests.RequestLog;
using ExpertRouter.Testing;

namespace ExpertRouter.Gateway.Tests.Routing;

/// <summary>Hot swap of a real IRT router folder (a copy of the shipped irt-ze12): reload, rejection, and the folder watch.</summary>
public sealed class RouterReloadTests : IDisposable
{
    private const string AdminKey = "sk-admin-router-tests-0123456789";
    private readonly TempFolder _folder = new();

    public RouterReloadTests()
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "routers", "irt-ze12");
        foreach (var file in Directory.GetFiles(shipped))
        {
            File.Copy(file, Path.Combine(_folder.Path, Path.GetFileName(file)));
        }
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Reload_ChangedFolder_SwapsInTheNewVersion()
    {
        await using var gateway = await StartAsync(watch: false);
        var before = await RouterAsync(gateway);

        SetVersion("2026-12-06.1");
        using var reload = await Admin(gateway).PostAsync("/admin/routers/reload", null);
        var after = await RouterAsync(gateway);

        Assert.StartsWith("sha256:", before.GetProperty("version").GetString());
        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        using var result = JsonDocument.Parse(await reload.Content.ReadAsStringAsync());
        Assert.Equal("2026-12-06.1", result.RootElement.GetProperty("loaded")[0].GetProperty("version").GetString());
        Assert.Equal(("2026-12-06.1", "folder"), (after.GetProperty("version").GetString(), after.GetProperty("kind").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await ChatAsync(gateway)).StatusCode);
    }

    [Fact]
    public async Task Reload_BadFolder_KeepsTheLastGood_AndListsItsErrors()
    {
        await using var gateway = await StartAsync(watch: false);
        var before = await RouterAsync(gateway);

        File.WriteAllText(Path.Combine(_folder.Path, "router.json"), """{"format":"expertrouter-irt/0","name":"irt-ze12","experts":[]}""");
        using var reload = await Admin(gateway).PostAsync("/admin/routers/reload", null);
        var after = await RouterAsync(gateway);
        using var answer = await ChatAsync(gateway);

        using var result = JsonDocument.Parse(await reload.Content.ReadAsStringAsync());
        Assert.Equal(["format must be 'expertrouter-irt/1'.", "encoder must be an object.", "experts must list at least one expert."],
            result.RootElement.GetProperty("rejected")[0].GetProperty("errors").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(before.GetProperty("version").GetString(), after.GetProperty("version").GetString());
        Assert.Equal(3, after.GetProperty("errors").GetArrayLength());
        Assert.Contains("experts must list", after.GetProperty("errors")[2].GetString());
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("irt-ze12", answer.Headers.GetValues("x-expertrouter-router").Single());
    }

    [Fact]
    public async Task Watch_ChangedFolder_IsSwappedInWithoutBeingAsked()
    {
        await using var gateway = await StartAsync(watch: true);

        SetVersion("watched-2");

        var version = await LogFolder.UntilAsync(
            async () => (await RouterAsync(gateway)).GetProperty("version").GetString() is "watched-2" and var v ? v : null, "the watched version");
        Assert.Equal("watched-2", version);
    }

    private Task<GatewayHost> StartAsync(bool watch) => new GatewayBuilder()
        .Setting("Routers:0:Path", _folder.Path)
        .Setting("AdminKeySha256", ApiKeyHash.Sha256Hex(AdminKey))
        .Setting("RouterReload:Watch", watch ? "true" : "false")
        .Setting("RouterReload:DebounceMilliseconds", "200")
        .StartAsync();

    private void SetVersion(string version)
    {
        var path = Path.Combine(_folder.Path, "router.json");
        var manifest = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        manifest["version"] = version;
        File.WriteAllText(path, manifest.ToJsonString());
    }

    private static HttpClient Admin(GatewayHost gateway)
    {
        var client = gateway.CreateClient(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return client;
    }

    private static async Task<JsonElement> RouterAsync(GatewayHost gateway)
    {
        using var admin = Admin(gateway);
        using var document = JsonDocument.Parse(await admin.GetStringAsync("/admin/routers"));
        return document.RootElement.GetProperty("routers").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "irt-ze12").Clone();
    }

    private static Task<HttpResponseMessage> ChatAsync(GatewayHost gateway) =>
        gateway.Client.PostAsync("/v1/chat/completions", RequestLogSinkTests.Chat("router/irt-ze12", "What is 17 * 23?"));
}
