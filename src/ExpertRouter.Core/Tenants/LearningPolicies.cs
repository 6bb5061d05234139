namespace ExpertRouter.Core.Tenants;

/// <summary>How much of a prompt the request log may keep (<c>logging.prompts</c>).</summary>
public enum PromptLogging
{
    /// <summary>The prompt's SHA-256 only: repeats can be counted and joined with labels, the text is never written.</summary>
    Hash,

    /// <summary>The prompt text, so logged requests (and their answers) can become training data.</summary>
    Store,

    /// <summary>Neither the text nor its hash.</summary>
    Off,
}

/// <summary>What the gateway's request log may keep for a tenant.</summary>
public sealed record LoggingPolicy
{
    public PromptLogging Prompts { get; init; } = PromptLogging.Hash;
}

/// <summary>
/// Exploration (off unless <see cref="Rate"/> is above zero): a sampled request's prompt also goes, after the answer,
/// to other candidates, and a judge scores every answer, within a daily budget of its own.
/// </summary>
public sealed record ExplorationPolicy
{
    /// <summary>The share of eligible requests sampled, in [0, 1].</summary>
    public double Rate { get; init; }

    /// <summary>The experts exploration may ask; empty: any candidate of the request's plan.</summary>
    public IReadOnlyList<string> Experts { get; init; } = [];

    /// <summary>The expert that scores every answer.</summary>
    public string? Judge { get; init; }

    /// <summary>What exploration may cost the tenant per UTC day (its calls and the judge's).</summary>
    public double? DailyBudgetUsd { get; init; }

    /// <summary>How many other candidates one sampled request goes to.</summary>
    public int MaxExperts { get; init; } = 2;

    public bool Enabled => Rate > 0 && Judge is not null && DailyBudgetUsd > 0 && MaxExperts > 0;
}
