using ExpertRouter.Core.Tenants;

namespace ExpertRouter.Policies;

/// <summary>
/// The policy sections of the learning loop (<c>logging</c>, <c>exploration</c>) and their checks, kept apart from
/// <see cref="PolicyYamlReader"/> so that reader only names them.
/// </summary>
internal static class LearningPolicyReader
{
    public static LoggingPolicy ReadLogging(YamlSection? section)
    {
        if (section is null)
        {
            return new LoggingPolicy();
        }

        var prompts = section.String("prompts");
        var logging = new LoggingPolicy
        {
            Prompts = prompts switch
            {
                null or "hash" => PromptLogging.Hash,
                "store" => PromptLogging.Store,
                "off" => PromptLogging.Off,
                _ => Invalid(section, "prompts", $"'logging.prompts' must be 'store', 'hash' or 'off', not '{prompts}'."),
            },
        };
        section.ReportUnknownKeys();
        return logging;
    }

    public static ExplorationPolicy ReadExploration(YamlSection? section)
    {
        if (section is null)
        {
            return new ExplorationPolicy();
        }

        var exploration = new ExplorationPolicy
        {
            Rate = section.Double("rate") ?? 0,
            Experts = [.. section.StringList("experts").Select(e => e.Value)],
            Judge = section.String("judge"),
            DailyBudgetUsd = section.Double("dailyBudgetUsd"),
            MaxExperts = section.Int("maxExperts") ?? 2,
        };
        section.ReportUnknownKeys();
        return exploration;
    }

    /// <summary>A rate needs a judge and a budget: exploration spends the tenant's money on calls nobody asked for.</summary>
    public static void Check(TenantPolicy policy, YamlSection root)
    {
        var exploration = policy.Exploration;
        if (exploration.Rate is < 0 or > 1)
        {
            root.Error(root.AtPath("exploration.rate"), "'exploration.rate' must be between 0 and 1.");
        }

        if (exploration.MaxExperts is < 1 or > 8)
        {
            root.Error(root.AtPath("exploration.maxExperts"), "'exploration.maxExperts' must be between 1 and 8.");
        }

        if (exploration.DailyBudgetUsd is <= 0)
        {
            root.Error(root.AtPath("exploration.dailyBudgetUsd"), "'exploration.dailyBudgetUsd' must be greater than zero.");
        }

        if (exploration.Rate > 0 && (exploration.Judge is null || exploration.DailyBudgetUsd is null))
        {
            root.Error(root.AtPath("exploration"), "Exploration with a rate needs a 'judge' and a 'dailyBudgetUsd'.");
        }

        foreach (var expert in exploration.Experts.Append(exploration.Judge).OfType<string>().Where(e => !policy.Allows(e)))
        {
            root.Error(root.AtPath("exploration"), $"Exploration expert '{expert}' is not allowed for this tenant.");
        }

        if (policy.ShadowRouter is { } shadow && shadow == policy.Router)
        {
            root.Error(root.AtPath("router.shadow"), "'router.shadow' names the serving router itself.");
        }
    }

    private static PromptLogging Invalid(YamlSection section, string key, string message)
    {
        section.Error(section.At(key), message);
        return PromptLogging.Hash;
    }
}
