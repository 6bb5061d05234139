using System.Globalization;
using System.Text.Json;
using ExpertRouter.Core.Tenants;

namespace ExpertRouter.Gateway.Tests.Tenants;

/// <summary>A temporary policy folder for one gateway under test, and the prices the simulated experts charge.</summary>
public sealed class TenantTestPolicies : IDisposable
{
    public const string Mini = "gpt-4o-mini-2024-07-18";
    public const string AdminKey = "sk-admin-key-for-tests-0123456789abcdef";

    public TenantTestPolicies() => Directory.CreateDirectory(Folder);

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "er-gw-policies-" + Guid.NewGuid().ToString("N"));

    public static string KeyFor(string tenant) => $"sk-test-{tenant}-0123456789abcdefghijklmnop";

    /// <summary>Writes <c>{tenant}.yaml</c>: the tenant's key, only the cheap simulated expert unless told, plus extra YAML.</summary>
    public string Write(string tenant, string extraYaml = "", string allow = Mini)
    {
        var path = Path.Combine(Folder, tenant + ".yaml");
        File.WriteAllText(path, $"""
            id: {tenant}
            apiKeySha256:
              - {ApiKeyHash.Sha256Hex(KeyFor(tenant))}
            experts:
              allow: [{allow}]

            """ + extraYaml);
        return path;
    }

    public Dictionary<string, string?> Settings(string? redis = null) => new()
    {
        ["ExpertRouter:Policies"] = Folder,
        ["ExpertRouter:Redis"] = redis,
        ["ExpertRouter:AdminKeySha256"] = ApiKeyHash.Sha256Hex(AdminKey),
    };

    /// <summary>What the gateway should have charged for an answer, from the usage the client received.</summary>
    public static double CostOf(JsonElement completion, double inputUsdPerMTok = 0.15, double outputUsdPerMTok = 0.6)
    {
        var usage = completion.GetProperty("usage");
        return (usage.GetProperty("prompt_tokens").GetInt64() * inputUsdPerMTok + usage.GetProperty("completion_tokens").GetInt64() * outputUsdPerMTok) / 1e6;
    }

    public static string Chat(string model = Mini, int maxTokens = 40, bool stream = false, string prompt = "Name three prime numbers.") =>
        JsonSerializer.Serialize(new { model, max_tokens = maxTokens, stream, messages = new[] { new { role = "user", content = prompt } } });

    public static string Usd(double value) => value.ToString("0.#########", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // The gateway's watcher may still hold it for a moment.
        }
    }
}
