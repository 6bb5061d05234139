using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Evaluation.Data;

namespace ExpertRouter.Evaluation.Routers;

/// <summary>
/// Makes a router from recorded outcomes. Every router the harness compares comes from one of these, looked up by
/// <see cref="Name"/>; the trained <see cref="IRouter"/> is the same interface the gateway serves.
/// </summary>
public interface IRouterTrainer
{
    string Name { get; }

    IRouter Train(RouterTrainingSet training, CancellationToken cancellationToken);
}

/// <summary>Training records restricted to a pool. Some experts have no outcome on some prompts.</summary>
public sealed record RouterTrainingSet(
    IReadOnlyList<RoutingRecord> Records,
    IReadOnlyList<ExpertDefinition> Experts,
    int Seed,
    IProgress<double>? Progress = null);
