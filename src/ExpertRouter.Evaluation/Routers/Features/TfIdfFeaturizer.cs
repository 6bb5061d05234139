using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Text;

namespace ExpertRouter.Evaluation.Routers.Features;

/// <summary>
/// ML.NET's text featurizer set up as TF-IDF over lower-cased word unigrams and bigrams, L2-normalised (so a dot
/// product is a cosine). Fitted on training prompts only; IDF comes from them. Thread-safe: one prediction engine per
/// thread, since ML.NET's engines are not.
/// </summary>
public sealed class TfIdfFeaturizer : IDisposable
{
    private readonly MLContext _ml;
    private readonly ITransformer _model;
    private readonly ThreadLocal<PredictionEngine<TextRow, FeatureRow>> _engines;

    private TfIdfFeaturizer(MLContext ml, ITransformer model, int dimension)
    {
        _ml = ml;
        _model = model;
        Dimension = dimension;
        _engines = new ThreadLocal<PredictionEngine<TextRow, FeatureRow>>(
            () => _ml.Model.CreatePredictionEngine<TextRow, FeatureRow>(_model));
    }

    public int Dimension { get; }

    public static TfIdfFeaturizer Fit(IEnumerable<string> texts, int seed)
    {
        var ml = new MLContext(seed);
        var data = ml.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t }).ToArray());
        var options = new TextFeaturizingEstimator.Options
        {
            CaseMode = TextNormalizingEstimator.CaseMode.Lower,
            KeepDiacritics = false,
            KeepPunctuations = false,
            KeepNumbers = true,
            WordFeatureExtractor = new WordBagEstimator.Options
            {
                NgramLength = 2,
                UseAllLengths = true,
                Weighting = NgramExtractingEstimator.WeightingCriteria.TfIdf,
            },
            CharFeatureExtractor = null,
            Norm = TextFeaturizingEstimator.NormFunction.L2,
        };
        var model = ml.Transforms.Text.FeaturizeText(nameof(FeatureRow.Features), options, nameof(TextRow.Text)).Fit(data);
        var type = (VectorDataViewType)model.GetOutputSchema(data.Schema)[nameof(FeatureRow.Features)].Type;
        return new TfIdfFeaturizer(ml, model, type.Size);
    }

    public SparseVector Transform(string text)
    {
        var row = _engines.Value!.Predict(new TextRow { Text = text });
        return SparseVector.From(row.Features);
    }

    /// <summary>Featurizes many texts in one pass of the pipeline (much faster than one engine call each).</summary>
    public SparseVector[] TransformMany(IReadOnlyList<string> texts)
    {
        var data = _ml.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t }).ToArray());
        var transformed = _model.Transform(data);
        var column = transformed.Schema[nameof(FeatureRow.Features)];
        var vectors = new SparseVector[texts.Count];
        using var cursor = transformed.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> buffer = default;
        var i = 0;
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            vectors[i++] = SparseVector.From(buffer);
        }

        return vectors;
    }

    public void Dispose() => _engines.Dispose();

    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    private sealed class FeatureRow
    {
        public VBuffer<float> Features { get; set; }
    }
}
