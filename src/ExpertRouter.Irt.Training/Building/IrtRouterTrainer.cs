using ExpertRouter.Core.Routing;
using ExpertRouter.Evaluation.Routers;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Reading;
using ExpertRouter.Irt.Serving;
using ExpertRouter.Irt.Training;

namespace ExpertRouter.Irt.Building;

/// <summary>
/// "irt" (and its named variants) in the harness's registry: trains the IRT ensemble on the training set and returns
/// it as an in-process router (the C# reference computation, equal to the exported ONNX graph to 1e-5). A variant
/// with a sentence encoder builds its featurizer once and keeps it, with a disk cache of embeddings, across the folds
/// of a cross-validation.
/// </summary>
public sealed class IrtRouterTrainer : IRouterTrainer
{
    public const string RouterName = "irt";

    private readonly Lock _gate = new();
    private IPromptFeaturizer? _featurizer;
    private DiskEmbeddingStore? _store;

    public string Name { get; init; } = RouterName;

    public HashedNgramOptions Hashed { get; init; } = IrtDefaults.Hashed;

    /// <summary>hashed, minilm, arctic-xs, hashed+minilm, hashed+arctic-xs (see <see cref="PromptFeaturizers.Parse"/>).</summary>
    public string Encoder { get; init; } = IrtDefaults.Encoder;

    public bool ItemsFromAllModels { get; init; } = IrtDefaults.ItemsFromAllModels;

    /// <summary>Epochs are chosen from the data size when this has Epochs = 0 (see <see cref="IrtDefaults.EpochsFor"/>).</summary>
    public IrtTrainingOptions Options { get; init; } = IrtDefaults.Training;

    public int Members { get; init; } = IrtDefaults.Members;

    /// <summary>What of each prompt the router reads, in training and at prediction (<see cref="IrtBuildRequest.Reads"/>).</summary>
    public ReadingPolicy Reads { get; init; } = ReadingPolicy.Default;

    /// <summary>Where pretrained encoders are extracted and embeddings cached; null = the default cache root.</summary>
    public string? CacheRoot { get; init; }

    public IRouter Train(RouterTrainingSet training, CancellationToken cancellationToken)
    {
        var (spec, error) = PromptFeaturizers.Parse(Encoder, Hashed);
        if (spec is null)
        {
            throw new InvalidOperationException(error);
        }

        var request = new IrtBuildRequest
        {
            Train = training.Records,
            Experts = training.Experts,
            Hashed = Hashed,
            Encoder = spec,
            Featurizer = FeaturizerFor(spec),
            ItemsFromAllModels = ItemsFromAllModels,
            Options = IrtDefaults.Resolve(Options with { Seed = training.Seed }, training.Records.Count),
            Members = Members,
            Reads = Reads,
            Progress = training.Progress,
        };
        var build = IrtBuild.Run(request, cancellationToken);
        _store?.Flush();
        return new IrtEnsembleRouter(Name, build);
    }

    private IPromptFeaturizer FeaturizerFor(EncoderSpec spec)
    {
        lock (_gate)
        {
            if (_featurizer is null)
            {
                var root = CacheRoot ?? EncoderPackageExtractor.DefaultCacheRoot();
                _store = spec.Pretrained is { } pretrained ? DiskEmbeddingStore.Open(root, pretrained) : null;
                var (featurizer, error) = PromptFeaturizers.Create(
                    spec, IrtBuild.TrainingEncoderOptions, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, _store, root, Reads.MaxFeatures);
                _featurizer = featurizer ?? throw new InvalidOperationException($"Encoder '{spec.Name}' is unavailable: {error}");
            }

            return _featurizer;
        }
    }
}
