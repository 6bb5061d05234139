using ExpertRouter.Evaluation.Data;
using ExpertRouter.Evaluation.Routers;
using ExpertRouter.Irt.Building;
using ExpertRouter.Irt.Encoding;

namespace ExpertRouter.Cli.Commands;

/// <summary>
/// Every router the CLI can train, by name: the harness's baselines plus routers from other projects. To add one,
/// add a <c>yield return</c> to <see cref="Contributed"/> (the IRT router goes there). The IRT variants compared under
/// cross-validation (<c>irt-pool-hashed</c>, <c>irt-all-hashed-minilm</c>, …) resolve by name only, never as part of
/// "all": <c>pool</c>/<c>all</c> is whose outcomes teach the prompt side, the rest the encoder ('-' for '+', which
/// the router list reserves for blends); <c>@key=value;…</c> after a name changes its settings (<see cref="IrtVariantName"/>).
/// <c>folder:PATH</c> evaluates a router folder as written, untrained (<see cref="FolderRouterTrainer"/>).
/// </summary>
internal static class RouterCatalog
{
    public static RouterTrainerRegistry Build(Func<IReadOnlyList<RoutingRecord>> answerKey) =>
        new(RouterTrainerRegistry.Baselines(answerKey).Concat(Contributed()), IrtVariants(), name => (IRouterTrainer?)FolderRouterTrainer.TryParse(name) ?? IrtVariantName.TryParse(name, out _));

    public static IEnumerable<string> Encoders =>
        PretrainedEncoders.All.Select(e => e.Name).SelectMany(n => new[] { n, "hashed+" + n }).Prepend("hashed");

    private static IEnumerable<IRouterTrainer> Contributed()
    {
        yield return new IrtRouterTrainer();
    }

    private static IEnumerable<IRouterTrainer> IrtVariants() =>
        from items in new[] { "pool", "all" }
        from encoder in Encoders
        select new IrtRouterTrainer
        {
            Name = $"irt-{items}-{encoder.Replace('+', '-')}",
            Encoder = encoder,
            ItemsFromAllModels = items == "all",
        };
}
