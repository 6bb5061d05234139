using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Evaluation.Routers.Features;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;

namespace ExpertRouter.Evaluation.Routers;

/// <summary>
/// logreg: one ML.NET SDCA logistic regression per expert over TF-IDF prompt features, trained on the prompts that
/// expert answered. A fractional score s (AlpacaEval's judge preference) becomes a positive example of weight s and a
/// negative one of weight 1 − s. Predicting is a sparse dot product with the learned weights, then the trainer's own
/// calibrator, so the gateway's hot path does not run an ML.NET pipeline per expert.
/// </summary>
public sealed class LogisticRouterTrainer : IRouterTrainer
{
    public const string RouterName = "logreg";

    public float L2Regularization { get; init; } = 1e-3f;

    public int Iterations { get; init; } = 30;

    public string Name => RouterName;

    public IRouter Train(RouterTrainingSet training, CancellationToken cancellationToken)
    {
        var set = FeaturizedTrainingSet.Build(training);
        var ml = new MLContext(training.Seed);
        var schema = SchemaDefinition.Create(typeof(Example));
        schema[nameof(Example.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, set.Featurizer.Dimension);
        var models = new LinearModel?[training.Experts.Count];
        for (var e = 0; e < models.Length; e++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var examples = Examples(set, e, set.Featurizer.Dimension).ToArray();
            if (examples.Select(x => x.Label).Distinct().Count() < 2)
            {
                models[e] = null;
                continue;
            }

            var data = ml.Data.LoadFromEnumerable(examples, schema);
            var trainer = ml.BinaryClassification.Trainers.SdcaLogisticRegression(
                labelColumnName: nameof(Example.Label),
                featureColumnName: nameof(Example.Features),
                exampleWeightColumnName: nameof(Example.Weight),
                l2Regularization: L2Regularization,
                maximumNumberOfIterations: Iterations);
            var fitted = trainer.Fit(data);
            var weights = fitted.Model.SubModel.Weights.ToArray();
            models[e] = new LinearModel(weights, fitted.Model.SubModel.Bias, fitted.Model.Calibrator);
            training.Progress?.Report((e + 1.0) / models.Length);
        }

        var means = TrainingStatistics.ExpertMeans(training);
        return new LogisticRouter(training.Experts, set.Featurizer, models, means);
    }

    private static IEnumerable<Example> Examples(FeaturizedTrainingSet set, int expert, int dimension)
    {
        var scores = set.Scores[expert];
        for (var row = 0; row < scores.Length; row++)
        {
            var s = scores[row];
            if (double.IsNaN(s))
            {
                continue;
            }

            var v = set.Vectors[row];
            var features = new VBuffer<float>(dimension, v.Count, v.Values, v.Indices);
            if (s > 0)
            {
                yield return new Example { Features = features, Label = true, Weight = (float)s };
            }

            if (s < 1)
            {
                yield return new Example { Features = features, Label = false, Weight = (float)(1 - s) };
            }
        }
    }

    private sealed record LinearModel(float[] Weights, float Bias, ICalibrator Calibrator)
    {
        public double Probability(SparseVector x) => Calibrator.PredictProbability((float)(x.Dot(Weights) + Bias));
    }

    private sealed class Example
    {
        public VBuffer<float> Features { get; set; }

        public bool Label { get; set; }

        public float Weight { get; set; }
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
