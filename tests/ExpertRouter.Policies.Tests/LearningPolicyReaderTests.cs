using ExpertRouter.Core.Tenants;
using ExpertRouter.Policies;

namespace ExpertRouter.Policies.Tests;

/// <summary>The learning loop's policy sections: prompt logging, exploration and the shadow router.</summary>
public sealed class LearningPolicyReaderTests
{
    private const string Head = """
        id: acme
        apiKeySha256:
          - 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08

        """;

    [Fact]
    public void Parse_WithoutLearningSections_HashesPromptsAndDoesNotExplore()
    {
        var policy = PolicyYamlReader.Parse("acme.yaml", Head).Parsed!.Policy;

        Assert.Equal(PromptLogging.Hash, policy.Logging.Prompts);
        Assert.False(policy.Exploration.Enabled);
        Assert.Null(policy.ShadowRouter);
    }

    [Theory]
    [InlineData("store", PromptLogging.Store)]
    [InlineData("hash", PromptLogging.Hash)]
    [InlineData("off", PromptLogging.Off)]
    public void Parse_PromptLogging_ReadsEachValue(string value, PromptLogging expected)
    {
        var policy = PolicyYamlReader.Parse("acme.yaml", Head + $"logging:\n  prompts: {value}\n").Parsed!.Policy;

        Assert.Equal(expected, policy.Logging.Prompts);
    }

    [Fact]
    public void Parse_BadLearningSettings_ReportsEveryProblemWithItsLine()
    {
        var yaml = Head + """
            experts:
              deny: [secret]
            router:
              name: irt
              shadow: irt
            logging:
              prompts: sometimes
            exploration:
              rate: 1.5
              maxExperts: 0
              dailyBudgetUsd: -1
              experts: [secret]
            """;

        var errors = PolicyYamlReader.Parse("acme.yaml", yaml).Errors.Select(e => e.Message).ToList();

        Assert.Contains(errors, e => e.Contains("'logging.prompts' must be 'store', 'hash' or 'off'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'exploration.rate' must be between 0 and 1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'exploration.maxExperts' must be between 1 and 8", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'exploration.dailyBudgetUsd' must be greater than zero", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("needs a 'judge'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Exploration expert 'secret' is not allowed", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("names the serving router itself", StringComparison.Ordinal));
    }
}
