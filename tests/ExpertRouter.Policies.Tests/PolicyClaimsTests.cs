using ExpertRouter.Core.Tenants;
using ExpertRouter.Policies;
using ExpertRouter.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Policies.Tests;

/// <summary>Files that claim the same tenant id or key: start-up and reload settle them alike, and neither fails.</summary>
public sealed class PolicyClaimsTests : IDisposable
{
    private const string PaKey = "sk-test-key-for-pa";
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _folder.Dispose();

    private static string Policy(string id, string key = PaKey) => PolicyYamlReaderTests.FullPolicy(id, ApiKeyHash.Sha256Hex(key));

    [Fact]
    public void ReloadThenRestart_SecondFileClaimsTheKey_BothKeepTheTenantAndReportTheSameFile()
    {
        _folder.Write("pa.yaml", Policy("pa"));
        using var running = Load();
        // Sorts before pa.yaml: on main a restart accepted it first and then exited blaming pa.yaml.
        _folder.Write("pa-copy.yaml", Policy("intruder"));

        var reload = running.Reload();
        using var restarted = Load();

        Assert.EndsWith("pa-copy.yaml", Assert.Single(reload.Rejected).File);
        Assert.Equal("pa", running.FindByApiKey(PaKey)?.Id);
        Assert.Equal("pa", restarted.FindByApiKey(PaKey)?.Id);
        Assert.Null(restarted.FindById("intruder"));
        var rejection = Assert.Single(restarted.Rejections);
        Assert.EndsWith("pa-copy.yaml", rejection.File);
        Assert.Contains(rejection.Errors, e => e.Message.Contains("already belongs to tenant 'pa' in pa.yaml"));
        Assert.Equal(running.Rejections.Select(r => r.File), restarted.Rejections.Select(r => r.File));
    }

    [Theory]
    [InlineData("b.yaml", "a.yaml", "b")]
    [InlineData("x-first.yaml", "y-second.yaml", "x")]
    public void Load_TwoFilesClaimOneTenantId_PrecedenceDecidesWhateverTheyAreNamed(string first, string second, string winner)
    {
        _folder.Write(first, Policy(winner == "b" ? "b" : "x", "sk-one"));
        _folder.Write(second, Policy(winner == "b" ? "b" : "x", "sk-two"));

        using var directory = Load();

        // b.yaml is named after its tenant and wins over a.yaml; neither x-first nor y-second is, so path order decides.
        Assert.Equal(winner, directory.FindByApiKey("sk-one")?.Id);
        Assert.Null(directory.FindByApiKey("sk-two"));
        Assert.EndsWith(second, Assert.Single(directory.Rejections).File);
    }

    [Fact]
    public void Reload_AnyOrderOfArrival_EndsWhereAStartWithTheSameFilesEnds()
    {
        string[] files = ["pa.yaml", "aa.yaml", "zz.yaml"];
        var expected = Settled(files);
        foreach (var order in new[] { new[] { 0, 1, 2 }, [1, 2, 0], [2, 0, 1], [1, 0, 2] })
        {
            using var folder = new TempFolder();
            folder.Write(files[order[0]], Policy(Path.GetFileNameWithoutExtension(files[order[0]])));
            using var directory = Load(folder.Path);
            foreach (var next in order.Skip(1))
            {
                folder.Write(files[next], Policy(Path.GetFileNameWithoutExtension(files[next])));
                directory.Reload();
            }

            Assert.Equal(expected, (directory.FindByApiKey(PaKey)?.Id, string.Join(",", directory.Rejections.Select(r => Path.GetFileName(r.File)))));
        }
    }

    [Fact]
    public void Reload_WinnerRemoved_TheNextClaimantTakesOver()
    {
        var pa = _folder.Write("pa.yaml", Policy("pa"));
        _folder.Write("pb.yaml", Policy("pb"));
        using var directory = Load();

        File.Delete(pa);
        var result = directory.Reload();

        Assert.EndsWith("pb.yaml", Assert.Single(result.Accepted));
        Assert.Equal("pb", directory.FindByApiKey(PaKey)?.Id);
        Assert.Empty(directory.Rejections);
    }

    [Fact]
    public void Load_FileBrokenOnItsOwn_StillStopsStartUp()
    {
        _folder.Write("pa.yaml", Policy("pa"));
        _folder.Write("pb.yaml", "id: pb\napiKeySha256: [nothex]\n");

        var ex = Assert.Throws<PolicyValidationException>(() => Load());

        Assert.All(ex.Errors, e => Assert.EndsWith("pb.yaml", e.File));
    }

    private (string? Owner, string Rejected) Settled(string[] files)
    {
        using var folder = new TempFolder();
        foreach (var file in files)
        {
            folder.Write(file, Policy(Path.GetFileNameWithoutExtension(file)));
        }

        using var directory = Load(folder.Path);
        return (directory.FindByApiKey(PaKey)?.Id, string.Join(",", directory.Rejections.Select(r => Path.GetFileName(r.File))));
    }

    private PolicyDirectory Load(string? folder = null) =>
        PolicyDirectory.Load(new PolicyDirectoryOptions { Directory = folder ?? _folder.Path }, _time, NullLogger<PolicyDirectory>.Instance);
}
