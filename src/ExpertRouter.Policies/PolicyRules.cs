using System.Text.RegularExpressions;
using ExpertRouter.Core.Tenants;

namespace ExpertRouter.Policies;

/// <summary>The checks one policy must pass on its own; cross-file checks live in <see cref="PolicySetRules"/>.</summary>
internal static partial class PolicyRules
{
    // Tenant ids end up inside Redis keys (er:{id}:...) and metric labels: no braces, colons or spaces.
    [GeneratedRegex("^[a-z0-9][a-z0-9_.-]{0,63}$")]
    internal static partial Regex TenantIdPattern();

    public static void Check(TenantPolicy policy, YamlSection root)
    {
        if (policy.Id.Length > 0 && !TenantIdPattern().IsMatch(policy.Id))
        {
            root.Error(root.AtPath("id"), $"Tenant id '{policy.Id}' must be 1-64 of a-z, 0-9, '-', '_', '.', starting with a letter or digit.");
        }

        if (policy.ApiKeySha256.Count == 0)
        {
            root.Error(root.AtPath("apiKeySha256"), "A tenant needs at least one API key hash ('expertrouter keys new' makes one).");
        }

        foreach (var both in policy.AllowedExperts.Intersect(policy.DeniedExperts, StringComparer.Ordinal))
        {
            root.Error(root.AtPath("experts.deny"), $"Expert '{both}' is both allowed and denied.");
        }

        CheckRouter(policy, root);
        Positive(root, "maxCostPerRequestUsd", policy.MaxCostPerRequestUsd);
        Positive(root, "maxFallbackCostRatio", policy.MaxFallbackCostRatio);
        Positive(root, "maxLatencyMs", policy.MaxLatencyMs);
        Positive(root, "budgets.dailyUsd", policy.Budget.DailyUsd);
        Positive(root, "budgets.monthlyUsd", policy.Budget.MonthlyUsd);
        if (policy.Budget is { DailyUsd: { } daily, MonthlyUsd: { } monthly } && daily > monthly)
        {
            root.Error(root.AtPath("budgets.dailyUsd"), "The daily budget is larger than the monthly one.");
        }

        if (policy.Budget.Mode == BudgetMode.Hard && policy.Budget.DowngradeExperts.Count > 0)
        {
            root.Error(root.AtPath("budgets.downgradeTo"), "'downgradeTo' only applies to soft budgets (mode: soft).");
        }

        Positive(root, "rateLimits.requestsPerMinute", policy.RateLimits.RequestsPerMinute);
        Positive(root, "rateLimits.tokensPerMinute", policy.RateLimits.TokensPerMinute);
        Positive(root, "cache.ttlSeconds", policy.Cache.TtlSeconds);
        if (policy.Cache.SemanticSimilarity is { } similarity && similarity is <= 0 or > 1)
        {
            root.Error(root.AtPath("cache.semanticSimilarity"), "'cache.semanticSimilarity' must be in (0, 1].");
        }

        if (policy.Ensemble.MaxExperts is < 2 or > 8)
        {
            var key = PolicyYamlReader.EnsembleKey(root) + ".maxExperts";
            root.Error(root.AtPath(key), $"'{key}' must be between 2 and 8.");
        }

        if (policy.FallbackChain.Distinct(StringComparer.Ordinal).Count() != policy.FallbackChain.Count)
        {
            root.Error(root.AtPath("fallback"), "The fallback chain lists an expert twice.");
        }

        foreach (var denied in policy.FallbackChain.Where(e => !policy.Allows(e)))
        {
            root.Error(root.AtPath("fallback"), $"Fallback expert '{denied}' is not allowed for this tenant.");
        }
    }

    private static void CheckRouter(TenantPolicy policy, YamlSection root)
    {
        if (policy.Router.Length == 0)
        {
            root.Error(root.AtPath("router.name"), "'router.name' must not be empty.");
        }

        if (policy.Lambda < 0)
        {
            root.Error(root.AtPath("router.lambda"), "'router.lambda' must be zero or more.");
        }

        if (policy.CostTarget is not { } target)
        {
            return;
        }

        if (root.HasPath("router.lambda"))
        {
            root.Error(root.AtPath("router.costTarget"), "Set either 'router.lambda' or 'router.costTarget', not both.");
        }

        if ((target.MaxCostFractionOfBest is null) == (target.AverageCostPer1kRequestsUsd is null))
        {
            root.Error(root.AtPath("router.costTarget"), "'router.costTarget' needs exactly one of 'maxCostFractionOfBest' or 'averageCostPer1kRequestsUsd'.");
        }

        if (target.MaxCostFractionOfBest is { } share && share is < 0 or > 1)
        {
            root.Error(root.AtPath("router.costTarget.maxCostFractionOfBest"), "'maxCostFractionOfBest' must be between 0 and 1.");
        }

        Positive(root, "router.costTarget.averageCostPer1kRequestsUsd", target.AverageCostPer1kRequestsUsd);
    }

    private static void Positive(YamlSection root, string path, double? value)
    {
        if (value is <= 0)
        {
            root.Error(root.AtPath(path), $"'{path}' must be greater than zero.");
        }
    }
}
