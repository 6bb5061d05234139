using ExpertRouter.Core.Experts;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Evaluation.Routers;

namespace ExpertRouter.Evaluation.Harness;

/// <summary>
/// In-domain vs out-of-domain: for each held-out task T, every router is evaluated on the test prompts of T twice —
/// trained on all training tasks (in-domain), and trained on the training prompts of every task but T
/// (out-of-domain). The gap shows how much a router relies on having seen the task.
/// </summary>
public sealed class DomainShiftEvaluator(PoolEvaluationOptions options)
{
    public async Task<DomainShiftTable> EvaluateAsync(
        IReadOnlyList<RoutingRecord> training,
        IReadOnlyList<RoutingRecord> test,
        IReadOnlyList<ExpertDefinition> experts,
        IReadOnlyList<IRouterTrainer> trainers,
        int maxTasks,
        Action<string>? progress,
        CancellationToken cancellationToken)
    {
        var tasks = test.GroupBy(r => r.Task, StringComparer.Ordinal)
            .Where(g => training.Any(r => r.Task != g.Key))
            .OrderByDescending(g => g.Count())
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(maxTasks)
            .Select(g => g.Key)
            .ToArray();
        var quiet = new PoolEvaluator(options with { BootstrapSamples = 0 });
        var cells = new List<DomainShiftCell>();
        foreach (var task in tasks)
        {
            var taskTest = test.Where(r => r.Task == task).ToArray();
            var outOfDomainTrain = training.Where(r => r.Task != task).ToArray();
            progress?.Invoke($"held-out task {task}: in-domain");
            var inDomain = await quiet.EvaluateAsync(task, training, taskTest, experts, trainers, cancellationToken).ConfigureAwait(false);
            progress?.Invoke($"held-out task {task}: out-of-domain");
            var outOfDomain = await quiet.EvaluateAsync(task, outOfDomainTrain, taskTest, experts, trainers, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < trainers.Count; i++)
            {
                cells.Add(new DomainShiftCell(
                    task, trainers[i].Name, inDomain.Routers[i].Aiq, outOfDomain.Routers[i].Aiq,
                    inDomain.Routers[i].CostToMatchBest, outOfDomain.Routers[i].CostToMatchBest));
            }
        }

        return new DomainShiftTable(tasks, trainers.Select(t => t.Name).ToArray(), cells);
    }
}

public sealed record DomainShiftCell(
    string Task, string Router, double InDomainAiq, double OutOfDomainAiq, double? InDomainCostToMatch, double? OutOfDomainCostToMatch);

public sealed record DomainShiftTable(IReadOnlyList<string> Tasks, IReadOnlyList<string> Routers, IReadOnlyList<DomainShiftCell> Cells);
