using System.Collections.Frozen;
using ExpertRouter.Core.Aggregation;
using ExpertRouter.Gateway.Configuration;

namespace ExpertRouter.Gateway.Aggregation;

/// <summary>The configured ensembles by name and the strategy for each mode, frozen at start-up.</summary>
public sealed class EnsembleRegistry
{
    private readonly FrozenDictionary<string, EnsembleOptions> _ensembles;
    private readonly FrozenDictionary<EnsembleMode, IEnsembleStrategy> _strategies;

    public EnsembleRegistry(Microsoft.Extensions.Options.IOptions<GatewayOptions> options, IEnumerable<IEnsembleStrategy> strategies)
    {
        _ensembles = options.Value.Ensembles.ToFrozenDictionary(StringComparer.Ordinal);
        _strategies = strategies.ToFrozenDictionary(s => s.Mode);
    }

    public IReadOnlyCollection<string> Names => _ensembles.Keys;

    public bool TryGet(string name, out EnsembleOptions options) => _ensembles.TryGetValue(name, out options!);

    public IEnsembleStrategy Strategy(EnsembleMode mode) => _strategies[mode];

    public static IAnswerExtractor Extractor(EnsembleOptions options) =>
        AnswerExtractors.TryGet(options.Extractor, out var extractor) ? extractor : AnswerExtractors.BuiltIn[AnswerExtractors.Default];
}
