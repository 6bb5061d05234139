
namespace ExpertRouter.Evaluation.Routers.Features;

/// <summary>Training prompts turned into TF-IDF vectors, with each expert's observed scores (NaN = no outcome).</summary>
internal sealed class FeaturizedTrainingSet
{
    private FeaturizedTrainingSet(TfIdfFeaturizer featurizer, SparseVector[] vectors, double[][] scores)
    {
        Featurizer = featurizer;
        Vectors = vectors;
        Scores = scores;
    }

    public TfIdfFeaturizer Featurizer { get; }

    public SparseVector[] Vectors { get; }

    /// <summary>Scores[expert][prompt], NaN where the expert has no outcome.</summary>
    public double[][] Scores { get; }

    public static FeaturizedTrainingSet Build(RouterTrainingSet training)
    {
        var prompts = training.Records.Select(r => r.Prompt).ToArray();
        var featurizer = TfIdfFeaturizer.Fit(prompts, training.Seed);
        var vectors = featurizer.TransformMany(prompts);
        var scores = training.Experts
            .Select(e => training.Records
                .Select(r => r.Outcomes.TryGetValue(e.Id, out var o) ? o.Score : double.NaN)
                .ToArray())
            .ToArray();
        return new FeaturizedTrainingSet(featurizer, vectors, scores);
    }
}
