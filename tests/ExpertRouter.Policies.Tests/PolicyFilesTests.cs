using ExpertRouter.Core.Tenants;
using ExpertRouter.Policies;
using ExpertRouter.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExpertRouter.Policies.Tests;

public sealed class PolicyFilesTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void AddTenant_WithBudgets_WritesValidPolicyHoldingOnlyTheKeyHash()
    {
        var (key, errors) = PolicyFiles.AddTenant(_folder.Path, "acme", 5, 50, Now);

        Assert.Empty(errors);
        var text = File.ReadAllText(key!.PolicyFile);
        Assert.DoesNotContain(key.ApiKey, text);
        using var directory = PolicyDirectory.Load(new PolicyDirectoryOptions { Directory = _folder.Path }, TimeProvider.System, NullLogger<PolicyDirectory>.Instance);
        var policy = directory.FindByApiKey(key.ApiKey);
        Assert.Equal("acme", policy?.Id);
        Assert.Equal(5, policy!.Budget.DailyUsd);
        Assert.Equal(50, policy.Budget.MonthlyUsd);
        Assert.Equal(BudgetMode.Hard, policy.Budget.Mode);
        Assert.True(File.Exists(Path.Combine(_folder.Path, "policy.schema.json")));
    }

    [Fact]
    public void AddTenant_Existing_RefusedWithoutTouchingTheFile()
    {
        var (first, _) = PolicyFiles.AddTenant(_folder.Path, "acme", null, null, Now);
        var before = File.ReadAllText(first!.PolicyFile);

        var (second, errors) = PolicyFiles.AddTenant(_folder.Path, "acme", null, null, Now);

        Assert.Null(second);
        Assert.Contains(errors, e => e.Message.Contains("already exists"));
        Assert.Equal(before, File.ReadAllText(first.PolicyFile));
    }

    [Fact]
    public void AddKey_BlockList_AppendsHashAndKeepsComments()
    {
        _folder.Write("acme.yaml", PolicyYamlReaderTests.FullPolicy().Replace("id: acme", "# owned by the acme team\nid: acme"));

        var (key, errors) = PolicyFiles.AddKey(_folder.Path, "acme", Now);

        Assert.Empty(errors);
        var parsed = PolicyYamlReader.Parse("acme.yaml", File.ReadAllText(key!.PolicyFile));
        Assert.Equal([PolicyYamlReaderTests.KeyHash, ApiKeyHash.Sha256Hex(key.ApiKey)], parsed.Parsed!.Policy.ApiKeySha256);
        Assert.Contains("# owned by the acme team", File.ReadAllText(key.PolicyFile));
    }

    [Fact]
    public void AddKey_FlowList_AppendsHash()
    {
        _folder.Write("t.yaml", $"id: t\napiKeySha256: [{PolicyYamlReaderTests.KeyHash}]\nrouter:\n  name: cheapest\n");

        var (key, errors) = PolicyFiles.AddKey(_folder.Path, "t", Now);

        Assert.Empty(errors);
        var policy = PolicyYamlReader.Parse("t.yaml", File.ReadAllText(key!.PolicyFile)).Parsed!.Policy;
        Assert.Equal(2, policy.ApiKeySha256.Count);
        Assert.Equal("cheapest", policy.Router);
    }

    [Fact]
    public void AddKey_UnknownTenant_ReturnsError()
    {
        var (key, errors) = PolicyFiles.AddKey(_folder.Path, "ghost", Now);

        Assert.Null(key);
        Assert.Contains(errors, e => e.Message.Contains("'ghost'"));
    }
}
