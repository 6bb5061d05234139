using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Evaluation.Routers.Features;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;

namespace ExpertRouter.Evaluation.Routers;

/// <summary>
/// logreg: one ML.NET SDCA logistic regression per expert over TF-IDF prompt features, trained on the prompts that
/// expert answered (<see cref="WeightedExamples"/>). Predicting is a sparse dot product with the learned weights, then the trainer's own
/// calibrator, so the gateway's hot path does not run an ML.NET pipeline per expert.
/// </summary>
public sealed class LogisticRouterTrainer : IRouterTrainer
{
    public const string RouterName = "logreg";

    public float L2Regularization { get; init; } = 1e-4f;

    public int Iterations { get; init; } = 30;

    public string Name => RouterName;

    public IRouter Train(RouterTrainingSet training, CancellationToken cancellationToken)
    {
        var set = FeaturizedTrainingSet.Build(training);
        var ml = new MLContext(training.Seed);
        var schema = WeightedExamples.Schema(set.Featurizer.Dimension);
        var models = new LinearModel?[training.Experts.Count];
        for (var e = 0; e < models.Length; e++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var examples = WeightedExamples.For(set, e).ToArray();
            if (examples.Select(x => x.Label).Distinct().Count() < 2)
            {
                models[e] = null;
                continue;
            }

            var data = ml.Data.LoadFromEnumerable(examples, schema);
            var trainer = ml.BinaryClassification.Trainers.SdcaLogisticRegression(
                labelColumnName: nameof(WeightedExample.Label),
                featureColumnName: nameof(WeightedExample.Features),
                exampleWeightColumnName: nameof(WeightedExample.Weight),
                l2Regularization: L2Regularization,
                // ML.NET picks an L1 penalty by default that zeroes almost every TF-IDF weight: turn it off.
                l1Regularization: 0f,
                maximumNumberOfIterations: Iterations);
            var fitted = trainer.Fit(data);
            var weights = fitted.Model.SubModel.Weights.ToArray();
            models[e] = new LinearModel(weights, fitted.Model.SubModel.Bias, fitted.Model.Calibrator);
            training.Progress?.Report((e + 1.0) / models.Length);
        }

        var means = TrainingStatistics.ExpertMeans(training);
        return new LogisticRouter(training.Experts, set.Featurizer, models, means);
    }

    private sealed record LinearModel(float[] Weights, float Bias, ICalibrator Calibrator)
    {
        public double Probability(SparseVector x) => Calibrator.PredictProbability((float)(x.Dot(Weights) + Bias));
    }

    private sealed class LogisticRouter(
        IReadOnlyList<ExpertDefinition> experts, TfIdfFeaturizer featurizer, LinearModel?[] models, double[] means) : IRouter
    {
        public string Name => RouterName;

        public ValueTask EstimateQualityAsync(
            RoutingQuery query, IReadOnlyList<ExpertDefinition> candidates, Memory<double> quality, CancellationToken cancellationToken)
        {
            var x = featurizer.Transform(query.Prompt);
            // An expert whose training outcomes were all equal has no model: its constant mean is the best guess.
            var values = models.Select((m, e) => m?.Probability(x) ?? means[e]).ToArray();
            TrainingStatistics.Write(experts, candidates, values, quality.Span);
            return ValueTask.CompletedTask;
        }
    }
}
