using ExpertRouter.Core.Tenants;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ExpertRouter.Policies;

/// <summary>
/// Turns one policy file into a <see cref="TenantPolicy"/>. Reads the YAML node tree rather than deserializing so
/// that every value keeps its line and all problems in a file are reported together.
/// </summary>
public static class PolicyYamlReader
{
    public static PolicyParseResult Parse(string file, string yaml)
    {
        var errors = new List<PolicyError>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            errors.Add(new PolicyError(file, (int)ex.Start.Line, (int)ex.Start.Column, "Not valid YAML: " + ex.Message));
            return new PolicyParseResult(null, errors);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this instead of a YamlException when a flow collection runs into the end.
            var lastLine = yaml.Split('\n').Length;
            errors.Add(new PolicyError(file, lastLine, 1, "Not valid YAML: the file ends inside an unclosed [ ] or { }."));
            return new PolicyParseResult(null, errors);
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            errors.Add(new PolicyError(file, 1, 1, "A policy file holds exactly one YAML mapping."));
            return new PolicyParseResult(null, errors);
        }

        var section = new YamlSection(file, root, errors, "");
        var (policy, keyLines) = Read(section);
        PolicyRules.Check(policy, section);
        LearningPolicyReader.Check(policy, section);
        section.ReportUnknownKeys();
        var parsed = new ParsedPolicy(policy, file, (int)section.At("id").Line, keyLines);
        return new PolicyParseResult(errors.Count == 0 ? parsed : null, errors);
    }

    private static (TenantPolicy Policy, IReadOnlyDictionary<string, int> KeyLines) Read(YamlSection root)
    {
        var keys = root.StringList("apiKeySha256");
        var keyLines = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (hash, at) in keys)
        {
            if (!ApiKeyHash.IsSha256Hex(hash))
            {
                root.Error(at, $"'{hash}' is not a lower-case hex SHA-256 (64 characters); store hashes, never keys.");
            }
            else if (!keyLines.TryAdd(hash, (int)at.Line))
            {
                root.Error(at, "The same key hash is listed twice.");
            }
        }

        var experts = root.Section("experts");
        var router = root.Section("router");
        var target = router?.Section("costTarget");
        var policy = new TenantPolicy
        {
            Id = root.String("id", required: true) ?? "",
            ApiKeySha256 = [.. keyLines.Keys],
            AllowedExperts = Values(experts?.StringList("allow")),
            DeniedExperts = Values(experts?.StringList("deny")),
            Router = router?.String("name") ?? "cheapest",
            ShadowRouter = router?.String("shadow"),
            Lambda = router?.Double("lambda") ?? 0,
            CostTarget = target is null ? null : new CostTarget
            {
                MaxCostFractionOfBest = target.Double("maxCostFractionOfBest"),
                AverageCostPer1kRequestsUsd = target.Double("averageCostPer1kRequestsUsd"),
            },
            MaxCostPerRequestUsd = root.Double("maxCostPerRequestUsd"),
            Budget = ReadBudget(root.Section("budgets")),
            RateLimits = ReadRateLimits(root.Section("rateLimits")),
            Cache = ReadCache(root.Section("cache")),
            Ensemble = ReadEnsemble(root),
            FallbackChain = Values(root.StringList("fallback")),
            MaxFallbackCostRatio = root.Double("maxFallbackCostRatio"),
            MaxLatencyMs = root.Int("maxLatencyMs"),
            Tags = root.StringMap("tags"),
            Logging = LearningPolicyReader.ReadLogging(root.Section("logging")),
            Exploration = LearningPolicyReader.ReadExploration(root.Section("exploration")),
        };
        target?.ReportUnknownKeys();
        experts?.ReportUnknownKeys();
        router?.ReportUnknownKeys();
        return (policy, keyLines);
    }

    private static BudgetPolicy ReadBudget(YamlSection? section)
    {
        if (section is null)
        {
            return new BudgetPolicy();
        }

        var mode = section.String("mode");
        var budget = new BudgetPolicy
        {
            DailyUsd = section.Double("dailyUsd"),
            MonthlyUsd = section.Double("monthlyUsd"),
            Mode = mode switch
            {
                null or "hard" => BudgetMode.Hard,
                "soft" => BudgetMode.Soft,
                _ => Invalid(section, "mode", $"'budgets.mode' must be 'hard' or 'soft', not '{mode}'.", BudgetMode.Hard),
            },
            DowngradeExperts = Values(section.StringList("downgradeTo")),
        };
        section.ReportUnknownKeys();
        return budget;
    }

    private static RateLimitPolicy ReadRateLimits(YamlSection? section)
    {
        if (section is null)
        {
            return new RateLimitPolicy();
        }

        var limits = new RateLimitPolicy
        {
            RequestsPerMinute = section.Int("requestsPerMinute"),
            TokensPerMinute = section.Int("tokensPerMinute"),
        };
        section.ReportUnknownKeys();
        return limits;
    }

    private static CachePolicy ReadCache(YamlSection? section)
    {
        if (section is null)
        {
            return new CachePolicy();
        }

        var cache = new CachePolicy
        {
            Enabled = section.Bool("enabled") ?? true,
            TtlSeconds = section.Int("ttlSeconds") ?? 3600,
            SemanticSimilarity = section.Double("semanticSimilarity"),
        };
        section.ReportUnknownKeys();
        return cache;
    }

    /// <summary>
    /// The tenant's ensemble for <c>auto</c>. The section was called <c>aggregation</c> before ensembles and
    /// aggregation were made one name; policy files written then still read, but a file may not say both.
    /// </summary>
    private static EnsemblePolicy ReadEnsemble(YamlSection root)
    {
        var section = root.Section(EnsembleKey(root));
        if (root.HasPath("ensemble") && root.HasPath("aggregation"))
        {
            // Read, so that the one error below is the only one it gets (not also "unknown setting").
            _ = root.Section("aggregation");
            root.Error(root.At("aggregation"), "'aggregation' is the former name of 'ensemble'; keep only 'ensemble'.");
        }

        if (section is null)
        {
            return new EnsemblePolicy();
        }

        var ensemble = new EnsemblePolicy
        {
            Enabled = section.Bool("enabled") ?? false,
            MaxExperts = section.Int("maxExperts") ?? 3,
            Strategy = section.String("strategy") ?? "best-of",
        };
        section.ReportUnknownKeys();
        return ensemble;
    }

    /// <summary>The key a file uses for its ensemble section: <c>ensemble</c>, or the former <c>aggregation</c>.</summary>
    internal static string EnsembleKey(YamlSection root) =>
        !root.HasPath("ensemble") && root.HasPath("aggregation") ? "aggregation" : "ensemble";

    private static IReadOnlyList<string> Values(IReadOnlyList<(string Value, Mark At)>? items) =>
        items is null ? [] : [.. items.Select(i => i.Value)];

    private static T Invalid<T>(YamlSection section, string key, string message, T fallback)
    {
        section.Error(section.At(key), message);
        return fallback;
    }
}
