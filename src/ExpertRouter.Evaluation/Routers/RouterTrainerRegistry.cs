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

    public RouterTrainerRegistry(IEnumerable<IRouterTrainer> trainers)
    {
        var list = trainers.ToList();
        var duplicates = list.GroupBy(t => t.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            throw new ArgumentException("Router names registered twice: " + string.Join(", ", duplicates));
        }

        Names = list.Select(t => t.Name).ToArray();
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

    public bool TryGet(string name, out IRouterTrainer trainer) => _trainers.TryGetValue(name, out trainer!);

    /// <summary>Resolves a comma-separated list ("all" = every registered name); unknown names are listed in the error.</summary>
    public IReadOnlyList<IRouterTrainer> Resolve(string names, out IReadOnlyList<string> unknown)
    {
        var requested = names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (requested.Length == 1 && requested[0].Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            requested = Names.ToArray();
        }

        unknown = requested.Where(n => !_trainers.ContainsKey(n)).ToArray();
        return requested.Where(_trainers.ContainsKey).Select(n => _trainers[n]).ToArray();
    }
}
