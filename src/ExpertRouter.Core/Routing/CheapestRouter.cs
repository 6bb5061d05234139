using ExpertRouter.Core.Experts;

namespace ExpertRouter.Core.Routing;

/// <summary>
/// Has no opinion on quality: every candidate gets the same score, so the ranking falls to cost and the cheapest
/// capable expert wins. The safe default before a learned router is trained.
/// </summary>
public sealed class CheapestRouter : IRouter
{
    public const string RouterName = "cheapest";

    public string Name => RouterName;

    public ValueTask EstimateQualityAsync(
        RoutingQuery query,
        IReadOnlyList<ExpertDefinition> candidates,
        Memory<double> quality,
        CancellationToken cancellationToken)
    {
        quality.Span[..candidates.Count].Fill(0.5);
        return ValueTask.CompletedTask;
    }
}
