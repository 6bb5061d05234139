using System.Globalization;
using System.Text;
using ExpertRouter.Core.Tenants;

namespace ExpertRouter.Policies;

/// <summary>A key shown to its owner once; only <see cref="PolicyFile"/> keeps its hash.</summary>
public sealed record IssuedKey(string TenantId, string ApiKey, string PolicyFile);

/// <summary>
/// Writes policy files for the CLI: a new tenant from defaults, or one more key hash for an existing tenant.
/// Every write is validated by the same reader the gateway uses and lands atomically (temp file, then rename),
/// so a watching gateway never sees half a file.
/// </summary>
public static class PolicyFiles
{
    public static (IssuedKey? Key, IReadOnlyList<PolicyError> Errors) AddTenant(string folder, string tenantId, double? dailyBudgetUsd, double? monthlyBudgetUsd, DateTimeOffset now)
    {
        var path = Path.Combine(folder, tenantId + ".yaml");
        if (FindTenantFile(folder, tenantId) is { } existing)
        {
            return (null, [new PolicyError(existing, 1, 1, $"Tenant '{tenantId}' already exists.")]);
        }

        if (File.Exists(path))
        {
            return (null, [new PolicyError(path, 1, 1, "A policy file with this name already exists.")]);
        }

        var key = ApiKeyGenerator.NewKey();
        var yaml = NewPolicyYaml(tenantId, ApiKeyHash.Sha256Hex(key), dailyBudgetUsd, monthlyBudgetUsd, now);
        return Commit(folder, path, yaml, new IssuedKey(tenantId, key, path));
    }

    public static (IssuedKey? Key, IReadOnlyList<PolicyError> Errors) AddKey(string folder, string tenantId, DateTimeOffset now)
    {
        if (FindTenantFile(folder, tenantId) is not { } path)
        {
            return (null, [new PolicyError(Path.GetFullPath(folder), 0, 0, $"No policy in this folder has id '{tenantId}'.")]);
        }

        var key = ApiKeyGenerator.NewKey();
        var yaml = PolicyKeyInserter.Insert(File.ReadAllText(path), ApiKeyHash.Sha256Hex(key), Day(now));
        return Commit(folder, path, yaml, new IssuedKey(tenantId, key, path));
    }

    /// <summary>The file whose <c>id</c> is <paramref name="tenantId"/>, whatever the file is called.</summary>
    public static string? FindTenantFile(string folder, string tenantId)
    {
        if (!Directory.Exists(folder))
        {
            return null;
        }

        return Directory.EnumerateFiles(folder, "*.y*ml")
            .Where(f => !Path.GetFileName(f).StartsWith('.'))
            .FirstOrDefault(f => PolicyYamlReader.Parse(f, File.ReadAllText(f)).Parsed?.Policy.Id == tenantId
                || ReadsId(File.ReadAllText(f)) == tenantId);
    }

    private static (IssuedKey?, IReadOnlyList<PolicyError>) Commit(string folder, string path, string yaml, IssuedKey key)
    {
        var parse = PolicyYamlReader.Parse(path, yaml);
        if (!parse.Succeeded)
        {
            return (null, parse.Errors);
        }

        if (!parse.Parsed!.Policy.ApiKeySha256.Contains(ApiKeyHash.Sha256Hex(key.ApiKey)))
        {
            return (null, [new PolicyError(path, 1, 1, "Could not add the key hash to 'apiKeySha256'; add it by hand.")]);
        }

        Directory.CreateDirectory(folder);
        WriteSchemaIfMissing(folder);
        var temporary = Path.Combine(folder, "." + Path.GetFileName(path) + ".tmp");
        File.WriteAllText(temporary, yaml, new UTF8Encoding(false));
        File.Move(temporary, path, overwrite: true);
        return (key, []);
    }

    /// <summary>The JSON Schema the files' <c>yaml-language-server</c> modeline points at.</summary>
    public static void WriteSchemaIfMissing(string folder)
    {
        var path = Path.Combine(folder, "policy.schema.json");
        if (File.Exists(path))
        {
            return;
        }

        using var schema = typeof(PolicyFiles).Assembly.GetManifestResourceStream("policy.schema.json")!;
        using var file = File.Create(path);
        schema.CopyTo(file);
    }

    private static string NewPolicyYaml(string id, string keyHash, double? daily, double? monthly, DateTimeOffset now)
    {
        static string Usd(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
        var budgets = new StringBuilder();
        if (daily is { } d)
        {
            budgets.Append("  dailyUsd: ").Append(Usd(d)).Append('\n');
        }

        if (monthly is { } m)
        {
            budgets.Append("  monthlyUsd: ").Append(Usd(m)).Append('\n');
        }

        return $"""
            # yaml-language-server: $schema=policy.schema.json
            # Tenant '{id}', created by 'expertrouter tenants add' on {Day(now)}. See README "Tenants and cost policies".
            id: {id}
            apiKeySha256:
              - {keyHash}  # created {Day(now)}
            experts:
              allow: []        # empty: every expert in the catalogue
              deny: []
            router:
              name: cheapest
              lambda: 0
            maxCostPerRequestUsd: 1
            budgets:
            {budgets}  mode: hard        # hard: refuse with insufficient_quota; soft: downgrade to cheaper experts
            rateLimits:
              requestsPerMinute: 600
              tokensPerMinute: 1000000
            cache:
              enabled: true
              ttlSeconds: 3600
            ensemble:
              enabled: false
            fallback: []
            tags: {"{}"}

            """;
    }

    private static string Day(DateTimeOffset now) => now.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string? ReadsId(string yaml) =>
        yaml.Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.StartsWith("id:", StringComparison.Ordinal))?[3..].Split('#')[0].Trim();
}
