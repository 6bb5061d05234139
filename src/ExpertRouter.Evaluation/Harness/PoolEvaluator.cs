using System.Diagnostics;
using ExpertRouter.Core.Experts;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Evaluation.Metrics;
using ExpertRouter.Evaluation.Routers;

namespace ExpertRouter.Evaluation.Harness;

public sealed record PoolEvaluationOptions
{
    public int Settings { get; init; } = 41;

    public int BootstrapSamples { get; init; } = 200;

    public int Seed { get; init; } = 17;

    public string? Strong { get; init; }

    public string? Weak { get; init; }
}

/// <summary>
/// Trains each router on the training records, predicts quality for every test prompt once, sweeps λ, and measures
/// the curve against the pool's single experts. Test prompts where no pool expert has an outcome are dropped first
/// (nothing could score them).
/// </summary>
public sealed class PoolEvaluator(PoolEvaluationOptions options)
{
    public event Action<string, string, double>? Progress;

    public async Task<PoolEvaluation> EvaluateAsync(
        string poolName,
        IReadOnlyList<RoutingRecord> training,
        IReadOnlyList<RoutingRecord> test,
        IReadOnlyList<ExpertDefinition> experts,
        IReadOnlyList<IRouterTrainer> trainers,
        CancellationToken cancellationToken)
    {
        var scorable = test.Where(r => experts.Any(e => r.Outcomes.ContainsKey(e.Id))).ToArray();
        var table = new OutcomeTable(scorable, experts);
        var singles = SingleExperts.Compute(table, training, options.Strong, options.Weak);
        var lambdas = LambdaSchedule.Create(experts, MeanPromptTokens(training), options.Settings);
        var results = new List<RouterEvaluation>();
        foreach (var trainer in trainers)
        {
            results.Add(await EvaluateRouterAsync(trainer, training, table, singles, lambdas, cancellationToken).ConfigureAwait(false));
        }

        return new PoolEvaluation(poolName, training.Count, scorable.Length, lambdas, singles, results) { OffPolicy = table.OffPolicy };
    }

    private async Task<RouterEvaluation> EvaluateRouterAsync(
        IRouterTrainer trainer,
        IReadOnlyList<RoutingRecord> training,
        OutcomeTable table,
        SingleExperts singles,
        double[] lambdas,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var trainProgress = new Progress<double>(f => Progress?.Invoke(trainer.Name, "train", f));
        var router = trainer.Train(new RouterTrainingSet(training, table.Experts, options.Seed, trainProgress), cancellationToken);
        var trainTime = clock.Elapsed;
        clock.Restart();
        var predictProgress = new Progress<double>(f => Progress?.Invoke(trainer.Name, "predict", f));
        var quality = await QualityMatrix.PredictAsync(router, table.Records, table.Experts, predictProgress, cancellationToken)
            .ConfigureAwait(false);
        var predictTime = clock.Elapsed;
        Progress?.Invoke(trainer.Name, "metrics", 0);
        var sweep = SweepEvaluator.Evaluate(table, quality, lambdas);
        var curve = RouterCurveMetrics.Measure(sweep, singles);
        // Off-policy, RouteLLM's pair metrics would compare the pair only where both happened to be explored, and a
        // bootstrap of the weighted shares would not resample the normaliser: neither is reported.
        var pair = table.OffPolicy ? null : StrongWeakFor(table, quality, singles);
        Progress?.Invoke(trainer.Name, "bootstrap", 0);
        var (aiqInterval, costInterval) = RouterCurveMetrics.Intervals(sweep, singles, table.OffPolicy ? 0 : options.BootstrapSamples, options.Seed);
        var fallbacks = sweep.Settings.Sum(s => s.Chosen.Zip(s.Scored).Count(c => c.First != c.Second));
        Progress?.Invoke(trainer.Name, "done", 1);
        return new RouterEvaluation
        {
            Router = trainer.Name,
            Sweep = sweep,
            Hull = curve.Hull,
            Aiq = curve.Aiq,
            AiqInterval = aiqInterval,
            CostToMatchBest = curve.CostToMatch,
            CostToMatchInterval = costInterval,
            QualityAtBestCost = curve.QualityAtBestCost,
            Apgr = pair?.Apgr() ?? double.NaN,
            Cpt50 = pair?.Cpt(0.5) ?? double.NaN,
            Cpt80 = pair?.Cpt(0.8) ?? double.NaN,
            TrainTime = trainTime,
            PredictTime = predictTime,
            FallbackShare = (double)fallbacks / Math.Max(1, sweep.Settings.Count * table.PromptCount),
            EffectiveSampleSize = table.OffPolicy ? sweep.Settings.Average(s => s.EffectiveSampleSize) : double.NaN,
        };
    }

    /// <summary>The λ grid depends on training prompts only, so route-batch and eval share it without the test set.</summary>
    public static double MeanPromptTokens(IReadOnlyList<RoutingRecord> training) =>
        training.Count == 0 ? 0 : training.Average(r => (double)TokenEstimate.FromText(r.Prompt));

    /// <summary>RouteLLM's pair metrics on the prompts where both experts of the pair have an outcome.</summary>
    internal static StrongWeakCurve? StrongWeakFor(OutcomeTable table, QualityMatrix quality, SingleExperts singles)
    {
        var (s, w) = (singles.StrongIndex, singles.WeakIndex);
        var margin = new List<double>();
        var strong = new List<double>();
        var weak = new List<double>();
        for (var p = 0; p < table.PromptCount; p++)
        {
            if (!table.HasOutcome(p, s) || !table.HasOutcome(p, w))
            {
                continue;
            }

            var row = quality.Row(p);
            margin.Add(double.IsNaN(row[s]) || double.IsNaN(row[w]) ? 0 : row[s] - row[w]);
            strong.Add(table.Score[p * table.ExpertCount + s]);
            weak.Add(table.Score[p * table.ExpertCount + w]);
        }

        return StrongWeakCurve.Build(margin, strong, weak);
    }
}
