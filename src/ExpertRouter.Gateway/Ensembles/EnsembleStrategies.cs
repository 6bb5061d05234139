using System.Collections.Frozen;
using ExpertRouter.Core.Ensembles;
using ExpertRouter.Gateway.Configuration;

namespace ExpertRouter.Gateway.Ensembles;

/// <summary>The strategy for each ensemble mode, and each ensemble's answer extractor, frozen at start-up.</summary>
public sealed class EnsembleStrategies(IEnumerable<IEnsembleStrategy> strategies)
{
    private readonly FrozenDictionary<EnsembleMode, IEnsembleStrategy> _byMode = strategies.ToFrozenDictionary(s => s.Mode);

    public IEnsembleStrategy For(EnsembleMode mode) => _byMode[mode];

    public static IAnswerExtractor Extractor(EnsembleOptions options) =>
        AnswerExtractors.TryGet(options.Extractor, out var extractor) ? extractor : AnswerExtractors.BuiltIn[AnswerExtractors.Default];
}
