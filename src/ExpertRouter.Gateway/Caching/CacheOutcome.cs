namespace ExpertRouter.Gateway.Caching;

/// <summary>
/// What the cache did for one request, left in <c>HttpContext.Features</c> for accounting: a hit costs the tenant
/// nothing, and <see cref="SavedUsd"/> is what the cached expert would have charged for the stored usage.
/// </summary>
public sealed record CacheOutcome(string Result, string? Expert, long PromptTokens, long CompletionTokens, double SavedUsd)
{
    public const string Hit = "hit";
    public const string SemanticHit = "semantic-hit";
    public const string Miss = "miss";

    /// <summary>The request was not looked up: caching is off for the tenant, or the request is not deterministic.</summary>
    public const string Bypass = "bypass";

    public bool IsHit => Result is Hit or SemanticHit;
}
