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

    /// <param name="trainers">Registered routers; "all" means these.</param>
    /// <param name="onRequest">Routers resolved by name only, never part of "all" (variants compared under CV).</param>
    public RouterTrainerRegistry(IEnumerable<IRouterTrainer> trainers, IEnumerable<IRouterTrainer>? onRequest = null)
    {
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

    public bool TryGet(string name, out IRouterTrainer trainer) => _trainers.TryGetValue(name, out trainer!);

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
            if (_trainers.TryGetValue(name, out var trainer))
            {
                found.Add(trainer);
            }
            else if (BlendedRouterTrainer.IsBlend(name))
            {
                var blend = BlendedRouterTrainer.TryParse(name, n => _trainers.GetValueOrDefault(n), out var error);
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
