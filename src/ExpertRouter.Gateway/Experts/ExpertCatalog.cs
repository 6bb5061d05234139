using System.Collections.Frozen;
using ExpertRouter.Core.Experts;

namespace ExpertRouter.Gateway.Experts;

/// <summary>The configured experts, with simulated ones pointed at the embedded simulator.</summary>
public sealed class ExpertCatalog
{
    private readonly FrozenDictionary<string, ExpertDefinition> _byId;

    public ExpertCatalog(IEnumerable<ExpertDefinition> experts)
    {
        All = experts.ToArray();
        _byId = All.ToFrozenDictionary(e => e.Id, StringComparer.Ordinal);
        Chat = All.Where(e => e.Capabilities.Chat).ToArray();
        Embeddings = All.Where(e => e.Capabilities.Embeddings).ToArray();
    }

    public IReadOnlyList<ExpertDefinition> All { get; }

    public IReadOnlyList<ExpertDefinition> Chat { get; }

    public IReadOnlyList<ExpertDefinition> Embeddings { get; }

    public bool TryGet(string id, out ExpertDefinition expert) => _byId.TryGetValue(id, out expert!);

    /// <summary>Replaces the base URL of every simulated expert with the embedded simulator's.</summary>
    public static IEnumerable<ExpertDefinition> BindSimulated(IEnumerable<ExpertDefinition> experts, Uri? simulatorBase) =>
        experts.Select(e => e.Simulated
            ? e with { BaseUrls = [simulatorBase?.ToString().TrimEnd('/') ?? throw new InvalidOperationException($"Expert '{e.Id}' is simulated but no simulator runs.")] }
            : e);
}
