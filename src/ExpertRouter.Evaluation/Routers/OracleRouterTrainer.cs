using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Evaluation.Data;

namespace ExpertRouter.Evaluation.Routers;

/// <summary>
/// oracle (evaluation only): reads the recorded test outcome of each prompt, looked up by id, so it predicts the true
/// score; at λ ≈ 0 it picks the cheapest expert with the best score. The upper bound of what routing can gain. It is
/// built with the answer key, so no other router can reach the test outcomes.
/// </summary>
public sealed class OracleRouterTrainer(Func<IReadOnlyList<RoutingRecord>> answerKey) : IRouterTrainer
{
    public const string RouterName = "oracle";

    public string Name => RouterName;

    public IRouter Train(RouterTrainingSet training, CancellationToken cancellationToken) =>
        new OracleRouter(answerKey().ToDictionary(r => r.Id, StringComparer.Ordinal));

    private sealed class OracleRouter(Dictionary<string, RoutingRecord> answers) : IRouter
    {
        public string Name => RouterName;

        public ValueTask EstimateQualityAsync(
            RoutingQuery query, IReadOnlyList<ExpertDefinition> candidates, Memory<double> quality, CancellationToken cancellationToken)
        {
            var span = quality.Span;
            answers.TryGetValue(query.Id ?? "", out var record);
            for (var c = 0; c < candidates.Count; c++)
            {
                span[c] = record is not null && record.Outcomes.TryGetValue(candidates[c].Id, out var outcome)
                    ? outcome.Score
                    : double.NaN;
            }

            return ValueTask.CompletedTask;
        }
    }
}
