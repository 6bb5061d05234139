using ExpertRouter.Core.Caching;

namespace ExpertRouter.Gateway.Caching.Semantic;

/// <summary>
/// Finds a cached answer whose prompt is close to a new one. Lookups are confined to one tenant and one scope
/// (the same model or alias, parameters and conversation before the last user message), and a neighbour only
/// counts when its <see cref="PromptFacts"/> equal the query's.
/// </summary>
public interface ISemanticIndex
{
    string Name { get; }

    ValueTask AddAsync(SemanticEntry entry, CancellationToken cancellationToken);

    ValueTask<SemanticMatch?> FindAsync(SemanticQuery query, CancellationToken cancellationToken);

    /// <summary>Forgets an entry whose answer is gone from the store, so it no longer shadows live neighbours.</summary>
    ValueTask RemoveAsync(string tenantId, string scope, string key, CancellationToken cancellationToken);
}

public sealed record SemanticEntry(string TenantId, string Scope, float[] Vector, PromptFacts Facts, string Key, DateTimeOffset ExpiresAt);

public sealed record SemanticQuery(string TenantId, string Scope, float[] Vector, PromptFacts Facts, double Threshold);

/// <summary>The exact-cache key of the neighbour's answer, and how close it was.</summary>
public readonly record struct SemanticMatch(string Key, float Similarity);
