using System.Collections.Frozen;
using ExpertRouter.Core.Experts;

namespace ExpertRouter.Gateway.Experts;

/// <summary>
/// Upstream API keys, read once from the environment. Kept apart from <see cref="ExpertDefinition"/> so that
/// configuration dumps and logs of experts can never contain a key.
/// </summary>
public sealed class ExpertCredentials
{
    private readonly FrozenDictionary<string, string> _keys;

    public ExpertCredentials(IEnumerable<ExpertDefinition> experts, Func<string, string?> environment)
    {
        _keys = experts
            .Select(e => (e.Id, Key: e.ApiKeyEnvironmentVariable is { } v ? environment(v) : null))
            .Where(x => !string.IsNullOrEmpty(x.Key))
            .ToFrozenDictionary(x => x.Id, x => x.Key!, StringComparer.Ordinal);
    }

    public string? ApiKeyFor(string expertId) => _keys.GetValueOrDefault(expertId);

    public override string ToString() => $"ExpertCredentials({_keys.Count} keys, redacted)";
}
