using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Evaluation.Harness;
using ExpertRouter.Irt.Model;
using ExpertRouter.Irt.Serving;
using ExpertRouter.Irt.Training;

namespace ExpertRouter.Irt.Building;

/// <summary>Measures a router on a dev split with the evaluation harness's sweep and hull metrics, for router.json.</summary>
public static class DevEvaluation
{
    public static async Task<DevMetrics> MeasureAsync(
        string source,
        IRouter router,
        IrtBuild build,
        IReadOnlyList<RoutingRecord> training,
        IReadOnlyList<RoutingRecord> dev,
        CancellationToken cancellationToken)
    {
        var experts = build.Experts;
        var scorable = dev.Where(r => experts.Any(e => r.Outcomes.ContainsKey(e.Id))).ToArray();
        var table = new OutcomeTable(scorable, experts);
        var singles = SingleExperts.Compute(table, training);
        var lambdas = LambdaSchedule.Create(experts, table.MeanPromptTokens, 41);
        var quality = await QualityMatrix.PredictAsync(router, table.Records, experts, null, cancellationToken).ConfigureAwait(false);
        var curve = RouterCurveMetrics.Measure(SweepEvaluator.Evaluate(table, quality, lambdas), singles);
        var ids = experts.Select(e => e.Id).ToArray();
        var examples = IrtDataset.Build(scorable, ids, build.Featurizer.Featurize);
        return new DevMetrics
        {
            Source = source,
            Prompts = scorable.Length,
            LogLoss = Math.Round(LogLoss(build.Ensemble, examples), 5),
            BestSingleExpert = singles.Best.Expert.Id,
            BestSingleScore = Math.Round(singles.Best.Point.Score, 5),
            BestSingleUsdPer1k = Math.Round(singles.Best.Point.CostPer1K, 5),
            CostFractionToMatchBest = curve.CostToMatch is { } c ? Math.Round(c, 4) : null,
            Aiq = Math.Round(curve.Aiq, 5),
            MaxMeanScore = Math.Round(curve.Hull.Best.Score, 5),
            Estimator = table.OffPolicy ? "snips" : null,
        };
    }

    /// <summary>Mean soft binary cross-entropy of the ensemble's probabilities over every recorded outcome.</summary>
    public static double LogLoss(IrtEnsemble ensemble, IReadOnlyList<IrtExample> examples)
    {
        double loss = 0;
        var count = 0;
        foreach (var example in examples)
        {
            var probabilities = ensemble.Predict(example.Features);
            for (var j = 0; j < example.Experts.Length; j++)
            {
                var q = Math.Clamp(probabilities[example.Experts[j]], 1e-6, 1 - 1e-6);
                var y = example.Scores[j];
                loss -= y * Math.Log(q) + (1 - y) * Math.Log(1 - q);
                count++;
            }
        }

        return count == 0 ? double.NaN : loss / count;
    }
}
