using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;

namespace ExpertRouter.Evaluation.Routers;

/// <summary>
/// task-label (diagnostic): told each prompt's task, it predicts each expert's mean training score on that task,
/// shrunk towards the expert's overall mean by <see cref="PriorWeight"/> pseudo-prompts; an unseen task gets the
/// overall mean. It shows how much of routing is just knowing the task.
/// </summary>
public sealed class TaskLabelRouterTrainer : IRouterTrainer
{
    public const string RouterName = "task-label";

    public const double PriorWeight = 5;

    public string Name => RouterName;

    public IRouter Train(RouterTrainingSet training, CancellationToken cancellationToken)
    {
        var overall = TrainingStatistics.ExpertMeans(training);
        var byTask = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var group in training.Records.GroupBy(r => r.Task, StringComparer.Ordinal))
        {
            var means = new double[training.Experts.Count];
            for (var e = 0; e < means.Length; e++)
            {
                var (sum, count) = (0.0, 0);
                foreach (var record in group)
                {
                    if (record.Outcomes.TryGetValue(training.Experts[e].Id, out var outcome))
                    {
                        sum += outcome.Score;
                        count++;
                    }
                }

                means[e] = double.IsNaN(overall[e]) ? double.NaN : (sum + PriorWeight * overall[e]) / (count + PriorWeight);
            }

            byTask[group.Key] = means;
        }

        return new TaskLabelRouter(training.Experts, byTask, overall);
    }

    private sealed class TaskLabelRouter(
        IReadOnlyList<ExpertDefinition> experts, Dictionary<string, double[]> byTask, double[] overall) : IRouter
    {
        public string Name => RouterName;

        public ValueTask EstimateQualityAsync(
            RoutingQuery query, IReadOnlyList<ExpertDefinition> candidates, Memory<double> quality, CancellationToken cancellationToken)
        {
            var values = query.Task is not null && byTask.TryGetValue(query.Task, out var means) ? means : overall;
            TrainingStatistics.Write(experts, candidates, values, quality.Span);
            return ValueTask.CompletedTask;
        }
    }
}
