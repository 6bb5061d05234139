using System.Collections.Frozen;
using ExpertRouter.Evaluation.Data;

namespace ExpertRouter.Evaluation.Routers;

/// <summary>
/// Router trainers by name, like YARP's load-balancing policies: a frozen dictionary built from a list. The CLI builds
/// it from <see cref="Baselines"/> plus whatever other projects contribute (the IRT router adds its trainer there).
/// </summary>
public sealed class RouterTrainerRegistry
{
    private readonly FrozenDictionary<string, IRouterTrainer> _trainers;
    private readonly Func<string, IRouterTrainer?> _parse;

    /// <param name="trainers">Registered routers; "all" means these.</param>
    /// <param name="onRequest">Routers resolved by name only, never part of "all" (variants compared under CV).</param>
    /// <param name="parse">Makes a router from a name no list holds (a variant with settings in its name), or null.</param>
    public RouterTrainerRegistry(
        IEnumerable<IRouterTrainer> trainers, IEnumerable<IRouterTrainer>? onRequest = null, Func<string, IRouterTrainer?>? parse = null)
    {
        _parse = parse ?? (_ => null);
        var main = trainers.ToList();
        var list = main.Concat(onRequest ?? []).ToList();
        var duplicates = list.GroupBy(t => t.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            throw new ArgumentException("Router names registered twice: " + string.Join(", ", duplicates));
        }

        Names = main.Select(t => t.Name).ToArray();
        OnRequestNames = list.Skip(main.Count).Select(t => t.Name).ToArray();
        _trainers = list.ToFrozenDictionary(t => t.Name, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Registered names in registration order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>
    /// The harness's baseline routers. The oracle reads <paramref name="answerKey"/> (the test records) and is for
    /// evaluation only; every other trainer sees nothing but its training set.
    /// </summary>
    public static IEnumerable<IRouterTrainer> Baselines(Func<IReadOnlyList<RoutingRecord>> answerKey) =>
    [
        new RandomRouterTrainer(),
        new OracleRouterTrainer(answerKey),
        new BestSingleRouterTrainer(),
        new CheapestRouterTrainer(),
        new TaskLabelRouterTrainer(),
        new KnnRouterTrainer(),
        new LogisticRouterTrainer(),
        new MatrixFactorizationRouterTrainer(),
    ];

    /// <summary>Names resolved only when asked for by name.</summary>
    public IReadOnlyList<string> OnRequestNames { get; }

    public bool TryGet(string name, out IRouterTrainer trainer)
    {
        trainer = Find(name)!;
        return trainer is not null;
    }

    private IRouterTrainer? Find(string name) => _trainers.GetValueOrDefault(name) ?? _parse(name);

    /// <summary>
    /// Resolves a comma-separated list ("all" = every registered name; "a+b" or "a:0.3+b:0.7" = a
    /// <see cref="BlendedRouterTrainer"/> of registered routers, never part of "all"); unknown names and malformed
    /// blends, each with its reason, are listed in <paramref name="unknown"/>.
    /// </summary>
    public IReadOnlyList<IRouterTrainer> Resolve(string names, out IReadOnlyList<string> unknown)
    {
        var requested = names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (requested.Length == 1 && requested[0].Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            requested = Names.ToArray();
        }

        var found = new List<IRouterTrainer>();
        var missing = new List<string>();
        foreach (var name in requested)
        {
            if (Find(name) is { } trainer)
            {
                found.Add(trainer);
            }
            else if (BlendedRouterTrainer.IsBlend(name))
            {
                var blend = BlendedRouterTrainer.TryParse(name, Find, out var error);
                if (blend is null)
                {
                    missing.Add(error!);
                }
                else
                {
                    found.Add(blend);
                }
            }
            else
            {
                missing.Add(name);
            }
        }

        unknown = missing;
        return found;
    }
}
