using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using ExpertRouter.Cli.Commands;

namespace ExpertRouter.Cli.Tests.Commands;

public sealed class TenantCommandsTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "er-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task TenantsAddThenKeysNew_PrintKeysOnceAndStoreOnlyHashes()
    {
        var (addCode, firstKey) = await Run("tenants", "add", "--policies", _folder, "--id", "acme", "--daily-budget-usd", "2.5");
        var (keyCode, secondKey) = await Run("keys", "new", "--tenant", "acme", "--policies", _folder);

        var file = File.ReadAllText(Path.Combine(_folder, "acme.yaml"));
        Assert.Equal(0, addCode);
        Assert.Equal(0, keyCode);
        Assert.Matches("^sk-[A-Za-z0-9_-]{32,}$", firstKey);
        Assert.Matches("^sk-[A-Za-z0-9_-]{32,}$", secondKey);
        Assert.DoesNotContain(firstKey, file);
        Assert.DoesNotContain(secondKey, file);
        Assert.Contains(Sha256(firstKey), file);
        Assert.Contains(Sha256(secondKey), file);
        Assert.Contains("dailyUsd: 2.5", file);
    }

    [Fact]
    public async Task KeysNew_UnknownTenant_FailsWithoutOutput()
    {
        var (code, output) = await Run("keys", "new", "--tenant", "ghost", "--policies", _folder);

        Assert.Equal(1, code);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task KeysAdmin_PrintsKeyOnStdout_AndItsHashWithTheSettingOnStderr()
    {
        var (code, key, error) = await RunWithError("keys", "admin");
        var (again, other, _) = await RunWithError("keys", "admin");

        Assert.Equal(0, code);
        Assert.Equal(0, again);
        Assert.Matches("^sk-admin-[A-Za-z0-9_-]{43}$", key);
        Assert.NotEqual(key, other);
        Assert.Contains($"SHA-256: {Sha256(key)}", error);
        Assert.Contains($"ExpertRouter__AdminKeySha256={Sha256(key)}", error);
        Assert.DoesNotContain(key, error);
    }

    [Fact]
    public async Task KeysHash_PrintsTheLowerCaseSha256OfTheKey()
    {
        var (code, hash) = await Run("keys", "hash", "sk-expertrouter-demo");

        Assert.Equal(0, code);
        Assert.Equal("f4e742cb24caaef44170e369e27465aae6e3316542ead2b79ad95282441d7474", hash);
    }

    private static async Task<(int Code, string Stdout)> Run(params string[] args)
    {
        var (code, output, _) = await RunWithError(args);
        return (code, output);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunWithError(params string[] args)
    {
        var root = new RootCommand();
        foreach (var command in CommandCatalog.All())
        {
            root.Subcommands.Add(command);
        }

        var output = new StringWriter();
        var error = new StringWriter();
        var code = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString().Trim(), error.ToString());
    }

    private static string Sha256(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
