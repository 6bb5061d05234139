using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;

namespace ExpertRouter.Irt.Building;

/// <summary>A freshly trained IRT build as an <see cref="IRouter"/>, computed in C# without ONNX Runtime.</summary>
public sealed class IrtEnsembleRouter : IRouter
{
    private readonly Dictionary<string, int> _index;

    public IrtEnsembleRouter(string name, IrtBuild build)
    {
        Name = name;
        Build = build;
        _index = build.Experts.Select((e, i) => (e.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
    }

    public string Name { get; }

    public IrtBuild Build { get; }

    public ValueTask EstimateQualityAsync(
        RoutingQuery query,
        IReadOnlyList<ExpertDefinition> candidates,
        Memory<double> quality,
        CancellationToken cancellationToken)
    {
        var probabilities = Build.Predict(query.Messages);
        var span = quality.Span;
        for (var i = 0; i < candidates.Count; i++)
        {
            span[i] = _index.TryGetValue(candidates[i].Id, out var m) ? probabilities[m] : double.NaN;
        }

        return ValueTask.CompletedTask;
    }
}
