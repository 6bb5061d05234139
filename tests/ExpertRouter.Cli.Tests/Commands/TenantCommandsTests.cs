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

    private static async Task<(int Code, string Stdout)> Run(params string[] args)
    {
        var root = new RootCommand();
        foreach (var command in CommandCatalog.All())
        {
            root.Subcommands.Add(command);
        }

        var output = new StringWriter();
        var code = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = new StringWriter() });
        return (code, output.ToString().Trim());
    }

    private static string Sha256(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
