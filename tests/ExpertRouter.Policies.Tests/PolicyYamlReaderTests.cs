using System.Text.RegularExpressions;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Policies;

namespace ExpertRouter.Policies.Tests;

public sealed class PolicyYamlReaderTests
{
    internal static readonly string KeyHash = ApiKeyHash.Sha256Hex("sk-test-key-for-acme");

    internal static string FullPolicy(string id = "acme", string? keyHash = null, double lambda = 0.5) => $"""
        id: {id}
        apiKeySha256:
          - {keyHash ?? KeyHash}
        experts:
          allow: [small, large]
          deny: [medium]
        router:
          name: mf
          lambda: {lambda.ToString(System.Globalization.CultureInfo.InvariantCulture)}
          shadow: mf2
        maxCostPerRequestUsd: 0.02
        budgets:
          dailyUsd: 5
          monthlyUsd: 100
          mode: soft
          downgradeTo: [small]
        rateLimits:
          requestsPerMinute: 60
          tokensPerMinute: 100000
        cache:
          enabled: false
          ttlSeconds: 600
          semanticSimilarity: 0.95
        ensemble:
          enabled: true
          maxExperts: 2
          strategy: fuse
        fallback: [large, small]
        maxFallbackCostRatio: 3
        maxLatencyMs: 800
        logging:
          prompts: store
        exploration:
          rate: 0.05
          experts: [large]
          judge: large
          dailyBudgetUsd: 2
          maxExperts: 1
        tags:
          team: research
        """;

    [Fact]
    public void Parse_FullPolicy_ReadsEverySetting()
    {
        var result = PolicyYamlReader.Parse("acme.yaml", FullPolicy());

        Assert.Empty(result.Errors);
        var policy = result.Parsed!.Policy;
        Assert.Equal("acme", policy.Id);
        Assert.Equal([KeyHash], policy.ApiKeySha256);
        Assert.Equal(["small", "large"], policy.AllowedExperts);
        Assert.False(policy.Allows("medium"));
        Assert.True(policy.Allows("small"));
        Assert.Equal("mf", policy.Router);
        Assert.Equal(0.5, policy.Lambda);
        Assert.Null(policy.CostTarget);
        Assert.Equal(0.02, policy.MaxCostPerRequestUsd);
        Assert.Equal(new BudgetPolicy { DailyUsd = 5, MonthlyUsd = 100, Mode = BudgetMode.Soft, DowngradeExperts = policy.Budget.DowngradeExperts }, policy.Budget);
        Assert.Equal(["small"], policy.Budget.DowngradeExperts);
        Assert.Equal(new RateLimitPolicy { RequestsPerMinute = 60, TokensPerMinute = 100000 }, policy.RateLimits);
        Assert.Equal(new CachePolicy { Enabled = false, TtlSeconds = 600, SemanticSimilarity = 0.95 }, policy.Cache);
        Assert.Equal(new EnsemblePolicy { Enabled = true, MaxExperts = 2, Strategy = "fuse" }, policy.Ensemble);
        Assert.Equal(["large", "small"], policy.FallbackChain);
        Assert.Equal(3, policy.MaxFallbackCostRatio);
        Assert.Equal(800, policy.MaxLatencyMs);
        Assert.Equal("research", policy.Tags["team"]);
        Assert.Equal("mf2", policy.ShadowRouter);
        Assert.Equal(PromptLogging.Store, policy.Logging.Prompts);
        Assert.Equal((0.05, "large", 2.0, 1), (policy.Exploration.Rate, policy.Exploration.Judge, policy.Exploration.DailyBudgetUsd, policy.Exploration.MaxExperts));
        Assert.Equal(["large"], policy.Exploration.Experts);
    }

    [Fact]
    public void Parse_FormerAggregationSection_ReadsAsTheEnsemble()
    {
        var yaml = $"id: old\napiKeySha256: [{KeyHash}]\naggregation:\n  enabled: true\n  maxExperts: 4\n  strategy: vote\n";

        var result = PolicyYamlReader.Parse("old.yaml", yaml);

        Assert.Empty(result.Errors);
        Assert.Equal(new EnsemblePolicy { Enabled = true, MaxExperts = 4, Strategy = "vote" }, result.Parsed!.Policy.Ensemble);
    }

    [Fact]
    public void Parse_EnsembleAndFormerAggregationBoth_IsOneErrorAtTheFormerName()
    {
        var yaml = $"id: both\napiKeySha256: [{KeyHash}]\nensemble:\n  enabled: true\naggregation:\n  enabled: false\n";

        var result = PolicyYamlReader.Parse("both.yaml", yaml);

        var error = Assert.Single(result.Errors);
        Assert.Equal((5, "'aggregation' is the former name of 'ensemble'; keep only 'ensemble'."), (error.Line, error.Message));
    }

    [Theory]
    [InlineData("ensemble")]
    [InlineData("aggregation")]
    public void Parse_EnsembleOfOneExpert_NamesTheKeyTheFileUses(string key)
    {
        var yaml = $"id: one\napiKeySha256: [{KeyHash}]\n{key}:\n  maxExperts: 1\n";

        var result = PolicyYamlReader.Parse("one.yaml", yaml);

        var error = Assert.Single(result.Errors);
        Assert.Equal((4, $"'{key}.maxExperts' must be between 2 and 8."), (error.Line, error.Message));
    }

    [Fact]
    public void Parse_MinimalPolicy_UsesDefaults()
    {
        var result = PolicyYamlReader.Parse("min.yaml", $"id: min\napiKeySha256: [{KeyHash}]\n");

        Assert.Empty(result.Errors);
        var policy = result.Parsed!.Policy;
        Assert.Equal("cheapest", policy.Router);
        Assert.False(policy.Budget.HasLimit);
        Assert.Equal(BudgetMode.Hard, policy.Budget.Mode);
        Assert.True(policy.Cache.Enabled);
        Assert.Null(policy.RateLimits.RequestsPerMinute);
    }

    [Fact]
    public void Parse_CostTarget_ReadsCalibratedKnob()
    {
        var yaml = $"id: t\napiKeySha256: [{KeyHash}]\nrouter:\n  name: mf\n  costTarget:\n    maxCostFractionOfBest: 0.3\n";

        var policy = PolicyYamlReader.Parse("t.yaml", yaml).Parsed!.Policy;

        Assert.Equal(0.3, policy.CostTarget!.MaxCostFractionOfBest);
    }

    [Fact]
    public void Parse_SeveralMistakes_ReportsEveryErrorWithItsLine()
    {
        var yaml = """
            id: Bad Id
            apiKeySha256:
              - sk-plaintext-key
            router:
              lambda: -1
              costTarget:
                maxCostFractionOfBest: 1.5
            budgets:
              dailyUsd: lots
              mode: hard
              downgradeTo: [small]
            rateLimits:
              requestsPerMinute: 0
            cahce:
              enabled: true
            """;

        var errors = PolicyYamlReader.Parse("bad.yaml", yaml).Errors;

        var lines = errors.Select(e => e.Line).Order().ToList();
        Assert.Contains(errors, e => e.Line == 1 && e.Message.Contains("Tenant id"));
        Assert.Contains(errors, e => e.Line == 3 && e.Message.Contains("never keys"));
        Assert.Contains(errors, e => e.Line == 5 && e.Message.Contains("lambda"));
        Assert.Contains(errors, e => e.Line == 6 && e.Message.Contains("not both"));
        Assert.Contains(errors, e => e.Line == 7 && e.Message.Contains("maxCostFractionOfBest"));
        Assert.Contains(errors, e => e.Line == 9 && e.Message.Contains("must be a number"));
        Assert.Contains(errors, e => e.Line == 11 && e.Message.Contains("soft"));
        Assert.Contains(errors, e => e.Line == 13 && e.Message.Contains("requestsPerMinute"));
        Assert.Contains(errors, e => e.Line == 14 && e.Message.Contains("Unknown setting 'cahce'"));
        Assert.All(errors, e => Assert.StartsWith($"bad.yaml:{e.Line}:", e.ToString()));
        Assert.True(errors.Count >= 9, string.Join(Environment.NewLine, errors));
    }

    [Fact]
    public void Parse_BrokenYaml_ReportsSyntaxErrorLine()
    {
        var errors = PolicyYamlReader.Parse("broken.yaml", "id: x\napiKeySha256: [abc\nrouter: {").Errors;

        var error = Assert.Single(errors);
        Assert.Contains("Not valid YAML", error.Message);
        Assert.True(error.Line >= 2);
    }

    [Fact]
    public void Parse_NoKeys_Rejected()
    {
        var errors = PolicyYamlReader.Parse("nokeys.yaml", "id: nokeys\n").Errors;

        Assert.Contains(errors, e => e.Message.Contains("at least one API key"));
    }

    [Fact]
    public void ShippedPolicies_DemoPolicy_AcceptsDemoKeyAndStoresNoPlaintext()
    {
        var folder = Path.Combine(ExpertRouter.Testing.TempFolder.RepositoryRoot(), "policies");
        var text = File.ReadAllText(Path.Combine(folder, "demo.yaml"));

        var result = PolicyYamlReader.Parse("demo.yaml", text);

        Assert.Empty(result.Errors);
        Assert.Contains(ApiKeyHash.Sha256Hex("sk-expertrouter-demo"), result.Parsed!.Policy.ApiKeySha256);
        Assert.DoesNotMatch(new Regex(@"^\s*-\s*sk-", RegexOptions.Multiline), text);
    }
}
