using ExpertRouter.Evaluation.Data;
using ExpertRouter.Evaluation.Routers;
using ExpertRouter.Irt.Building;

namespace ExpertRouter.Cli.Commands;

/// <summary>
/// Every router the CLI can train, by name: the harness's baselines plus routers from other projects. To add one,
/// add a <c>yield return</c> to <see cref="Contributed"/> (the IRT router goes there).
/// </summary>
internal static class RouterCatalog
{
    public static RouterTrainerRegistry Build(Func<IReadOnlyList<RoutingRecord>> answerKey) =>
        new(RouterTrainerRegistry.Baselines(answerKey).Concat(Contributed()));

    private static IEnumerable<IRouterTrainer> Contributed()
    {
        yield return new IrtRouterTrainer();
    }
}
