using System.Runtime.InteropServices;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Policies;
using ExpertRouter.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Policies.Tests;

public sealed class PolicyDirectoryTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Load_ValidFolder_FindsTenantByPlaintextKey()
    {
        _folder.Write("acme.yaml", PolicyYamlReaderTests.FullPolicy());

        using var directory = Load();

        Assert.Equal("acme", directory.FindByApiKey("sk-test-key-for-acme")?.Id);
        Assert.Null(directory.FindByApiKey("sk-wrong"));
        Assert.Equal("acme", directory.FindById("acme")?.Id);
    }

    [Fact]
    public void Load_BadFiles_FailsListingEveryErrorWithFileAndLine()
    {
        _folder.Write("a.yaml", "id: a\napiKeySha256: [nothex]\n");
        _folder.Write("b.yaml", $"id: b\napiKeySha256: [{PolicyYamlReaderTests.KeyHash}]\nbudgets:\n  dailyUsd: -1\n");

        var ex = Assert.Throws<PolicyValidationException>(Load);

        Assert.Contains(ex.Errors, e => e.File.EndsWith("a.yaml") && e.Line == 2);
        Assert.Contains(ex.Errors, e => e.File.EndsWith("b.yaml") && e.Line == 4);
        Assert.Contains("b.yaml:4:", ex.Message);
    }

    [Fact]
    public void Load_EmptyFolder_Fails() => Assert.Throws<PolicyValidationException>(Load);

    [Fact]
    public void Reload_ChangedFile_SwapsPolicy()
    {
        var file = _folder.Write("acme.yaml", PolicyYamlReaderTests.FullPolicy(lambda: 0.5));
        using var directory = Load();

        File.WriteAllText(file, PolicyYamlReaderTests.FullPolicy(lambda: 2));
        var result = directory.Reload();

        Assert.Equal([file], result.Accepted);
        Assert.Equal(2, directory.FindByApiKey("sk-test-key-for-acme")!.Lambda);
    }

    [Fact]
    public void Reload_BadEdit_KeepsLastGoodPolicyAndShowsRejectionUntilFixed()
    {
        var file = _folder.Write("acme.yaml", PolicyYamlReaderTests.FullPolicy(lambda: 0.5));
        using var directory = Load();

        File.WriteAllText(file, PolicyYamlReaderTests.FullPolicy(lambda: 0.5).Replace("requestsPerMinute: 60", "requestsPerMinute: many"));
        var rejected = directory.Reload();
        var keptLambda = directory.FindByApiKey("sk-test-key-for-acme")?.Lambda;
        var rejectionsWhileBad = directory.Rejections;
        File.WriteAllText(file, PolicyYamlReaderTests.FullPolicy(lambda: 3));
        directory.Reload();

        var rejection = Assert.Single(rejected.Rejected);
        Assert.Equal("acme", rejection.KeptTenantId);
        Assert.Contains(rejection.Errors, e => e.Line == 18 && e.Message.Contains("whole number"));
        Assert.Equal(0.5, keptLambda);
        Assert.Single(rejectionsWhileBad);
        Assert.Equal(1, directory.RejectedTotal);
        Assert.Empty(directory.Rejections);
        Assert.Equal(3, directory.FindByApiKey("sk-test-key-for-acme")!.Lambda);
    }

    [Fact]
    public void Reload_DuplicateTenantIdOrKey_RejectsTheNewFile()
    {
        _folder.Write("acme.yaml", PolicyYamlReaderTests.FullPolicy());
        using var directory = Load();

        _folder.Write("copy.yaml", PolicyYamlReaderTests.FullPolicy());
        var result = directory.Reload();

        var rejection = Assert.Single(result.Rejected);
        Assert.EndsWith("copy.yaml", rejection.File);
        Assert.Contains(rejection.Errors, e => e.Message.Contains("already defined"));
        Assert.Contains(rejection.Errors, e => e.Message.Contains("already belongs"));
        Assert.Single(directory.Tenants);
    }

    [Fact]
    public void Reload_RemovedFile_RemovesTenant()
    {
        _folder.Write("acme.yaml", PolicyYamlReaderTests.FullPolicy());
        var other = _folder.Write("other.yaml", PolicyYamlReaderTests.FullPolicy("other", ApiKeyHash.Sha256Hex("sk-other")));
        using var directory = Load();

        File.Delete(other);
        var result = directory.Reload();

        Assert.Single(result.Removed);
        Assert.Null(directory.FindByApiKey("sk-other"));
        Assert.NotNull(directory.FindByApiKey("sk-test-key-for-acme"));
    }

    [Fact]
    public void Reload_FolderEmptied_KeepsTenants()
    {
        var file = _folder.Write("acme.yaml", PolicyYamlReaderTests.FullPolicy());
        using var directory = Load();

        File.Delete(file);
        var result = directory.Reload();

        Assert.False(result.Changed);
        Assert.NotNull(directory.FindByApiKey("sk-test-key-for-acme"));
    }

    [Fact]
    public void Load_UnknownExpert_RejectedWhenCatalogueGiven()
    {
        _folder.Write("acme.yaml", PolicyYamlReaderTests.FullPolicy());

        var ex = Assert.Throws<PolicyValidationException>(() => PolicyDirectory.Load(
            new PolicyDirectoryOptions { Directory = _folder.Path, KnownExperts = new HashSet<string> { "small", "large" } },
            _time,
            NullLogger<PolicyDirectory>.Instance));

        Assert.Contains(ex.Errors, e => e.Message.Contains("'medium' is not in the expert catalogue"));
    }

    [Fact]
    public void Reload_ConfigMapSymlinkSwap_PicksUpNewContent()
    {
        var configMap = new ConfigMapFolder(_folder.Path);
        configMap.Publish("acme.yaml", PolicyYamlReaderTests.FullPolicy(lambda: 0.5));
        using var directory = Load();

        configMap.Publish("acme.yaml", PolicyYamlReaderTests.FullPolicy(lambda: 4));
        directory.Reload();

        Assert.Equal(4, directory.FindByApiKey("sk-test-key-for-acme")!.Lambda);
    }

    [Fact]
    public async Task StartWatching_ConfigMapSymlinkSwap_ReloadsWithoutBeingAsked()
    {
        var configMap = new ConfigMapFolder(_folder.Path);
        configMap.Publish("acme.yaml", PolicyYamlReaderTests.FullPolicy(lambda: 0.5));
        using var directory = PolicyDirectory.Load(
            new PolicyDirectoryOptions { Directory = _folder.Path, Debounce = TimeSpan.FromMilliseconds(50), PollInterval = TimeSpan.FromSeconds(1) },
            TimeProvider.System,
            NullLogger<PolicyDirectory>.Instance);
        var reloaded = new TaskCompletionSource<PolicyReloadResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        directory.Reloaded += r => reloaded.TrySetResult(r);
        directory.StartWatching();

        configMap.Publish("acme.yaml", PolicyYamlReaderTests.FullPolicy(lambda: 4));
        var result = await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Single(result.Accepted);
        Assert.Equal(4, directory.FindByApiKey("sk-test-key-for-acme")!.Lambda);
    }

    private PolicyDirectory Load() =>
        PolicyDirectory.Load(new PolicyDirectoryOptions { Directory = _folder.Path }, _time, NullLogger<PolicyDirectory>.Instance);

    /// <summary>
    /// The layout kubelet writes for a ConfigMap volume: data in a timestamped folder, a '..data' symlink to it,
    /// and each visible file a symlink through '..data'. An update swaps '..data' with one atomic rename.
    /// </summary>
    private sealed class ConfigMapFolder(string root)
    {
        private int _version;

        [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
        private static extern int Rename(string oldPath, string newPath);

        public void Publish(string name, string content)
        {
            var version = $"..2026_11_23_12_00_{_version++:00}";
            Directory.CreateDirectory(Path.Combine(root, version));
            File.WriteAllText(Path.Combine(root, version, name), content);
            var temporary = Path.Combine(root, "..data_tmp");
            File.CreateSymbolicLink(temporary, version);
            // rename(2) replaces the old '..data' link in one step, as kubelet does; File.Move refuses links to folders.
            if (Rename(temporary, Path.Combine(root, "..data")) != 0)
            {
                throw new IOException($"rename failed: errno {Marshal.GetLastPInvokeError()}");
            }
            var visible = Path.Combine(root, name);
            if (!File.Exists(visible))
            {
                File.CreateSymbolicLink(visible, Path.Combine("..data", name));
            }
        }
    }
}
