using ExpertRouter.Core.Experts;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Irt.Calibration;
using ExpertRouter.Core.Routing;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Reading;
using ExpertRouter.Irt.Model;
using ExpertRouter.Irt.Serving;
using ExpertRouter.Irt.Training;

namespace ExpertRouter.Irt.Building;

/// <summary>A trained ensemble with its featurizer, pool and calibration, before it is written to a folder.</summary>
public sealed record IrtBuild(
    IrtEnsemble Ensemble,
    IPromptFeaturizer Featurizer,
    IReadOnlyList<ExpertDefinition> Experts,
    RouterCalibration Calibration,
    IrtBuildRequest Request,
    int FitPrompts,
    int FitOutcomes)
{
    /// <summary>The models whose outcomes trained the prompt side: the pool, or every recorded model (pool first).</summary>
    public IReadOnlyList<string> ItemModels { get; init; } = [];

    /// <summary>What the router reads of a request: <see cref="IrtBuildRequest.Reads"/>, as serving applies it.</summary>
    public PromptReader Reader { get; } = new(Request.Reads, Request.EncoderSpec.HashedNgrams?.MaxChars ?? int.MaxValue);

    /// <summary>Scores a prompt that is one user message.</summary>
    public float[] Predict(string prompt) => Ensemble.Predict(Featurizer.Featurize(Reader.Read(prompt)));

    /// <summary>Scores what the reading policy reads of a conversation.</summary>
    public float[] Predict(IConversation conversation) => Ensemble.Predict(Featurizer.Featurize(Reader.Read(conversation)));

    /// <summary>Trains the ensemble and calibrates it. Deterministic for the request's seed.</summary>
    public static IrtBuild Run(IrtBuildRequest request, CancellationToken cancellationToken = default)
    {
        var errors = request.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid IRT build: " + string.Join(" ", errors), nameof(request));
        }

        var (fit, calibration) = Split(request.Train, request.CalibrationHoldoutEvery);
        var featurizer = CreateFeaturizer(request);
        var dense = featurizer is BertFeaturizer;
        // Every prompt is featurized once (a sentence encoder in batches, through its embedding store), reading what the
        // served router will read of it; training and calibration look the features up by the prompt's own text.
        var prompts = request.Train.Select(r => r.Prompt).Distinct(StringComparer.Ordinal).ToArray();
        var reader = new PromptReader(request.Reads, request.EncoderSpec.HashedNgrams?.MaxChars ?? int.MaxValue);
        var featurized = featurizer.FeaturizeBatch(request.Reads.IsDefault ? prompts : prompts.Select(reader.Read).ToArray());
        var features = new Dictionary<string, HashedFeatures>(prompts.Length, StringComparer.Ordinal);
        for (var i = 0; i < prompts.Length; i++)
        {
            features[prompts[i]] = featurized[i];
        }

        var pool = request.Experts.Select(e => e.Id).ToArray();
        var ids = request.ItemsFromAllModels ? ItemModelsFor(pool, fit) : pool;
        var examples = IrtDataset.Build(fit, ids, p => features[p]);
        var members = new IrtParameters[request.Members];
        var progress = request.Progress is null ? null : new MemberProgress(request.Progress, request.Members);
        // Members are independent (own seed, own weights, read-only shared examples), so they train in parallel and
        // land in their seed's slot: the ensemble is the same whatever the scheduling, and the wall time on 2 cores
        // halves.
        Parallel.For(
            0,
            request.Members,
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            i =>
            {
                var options = request.Options with { Seed = request.Options.Seed + i };
                if (dense)
                {
                    options = options with { EmbeddingSize = featurizer.InputRows, FeatureDropout = 0 };
                }

                var p = IrtTrainer.Initialize(featurizer.InputRows, ids.Length, options, identityEmbedding: dense);
                var memberProgress = progress is null ? null : new InlineProgress(f => progress.Report(i, f));
                IrtTrainer.Fit(p, examples, options, freezeEmbedding: dense, progress: memberProgress, cancellationToken: cancellationToken);
                p.RoundEmbeddingToHalf();
                // The pool's experts are the first rows; the other models only taught the prompt side.
                members[i] = ids.Length == pool.Length ? p : p.WithExperts(pool.Length);
            });

        var ensemble = new IrtEnsemble(members);
        var predictions = calibration.Select(r => ensemble.Predict(features[r.Prompt])).ToArray();
        var source = request.CalibrationHoldoutEvery == 0
            ? "training prompts (in-sample)"
            : $"held-out training prompts (1 in {request.CalibrationHoldoutEvery} by id hash)";
        var calibrated = RouterCalibrator.Build(source, calibration, predictions, request.Experts);
        return new IrtBuild(ensemble, featurizer, request.Experts, calibrated, request, fit.Count, examples.Sum(e => e.Experts.Length))
        {
            ItemModels = ids,
        };
    }

    /// <summary>The pool's experts first, then every other model with an outcome in the training records (ordinal order).</summary>
    public static string[] ItemModelsFor(IReadOnlyList<string> pool, IReadOnlyList<RoutingRecord> records)
    {
        var inPool = pool.ToHashSet(StringComparer.Ordinal);
        var others = records.SelectMany(r => r.Outcomes.Keys).Where(m => !inPool.Contains(m)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return [.. pool, .. others];
    }

    private static IPromptFeaturizer CreateFeaturizer(IrtBuildRequest request)
    {
        if (request.Bert is { } bert)
        {
            return new BertFeaturizer(bert);
        }

        if (request.Featurizer is { } given)
        {
            // A shared featurizer must cap features as the policy says, or training would read more than serving.
            return given is HashedNgramFeaturizer hashed && hashed.MaxFeatures != request.Reads.MaxFeatures
                ? throw new ArgumentException($"The featurizer keeps {hashed.MaxFeatures?.ToString() ?? "every"} features; the reading policy says {request.Reads.MaxFeatures?.ToString() ?? "every"}.", nameof(request))
                : given;
        }

        var (featurizer, error) = PromptFeaturizers.Create(
            request.EncoderSpec, TrainingEncoderOptions, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, maxFeatures: request.Reads.MaxFeatures);
        return featurizer ?? throw new InvalidOperationException($"Encoder '{request.EncoderSpec.Name}' is unavailable: {error}");
    }

    /// <summary>Offline, a sentence encoder may use every core for its batches.</summary>
    public static OnnxServingOptions TrainingEncoderOptions { get; } = new() { IntraOpThreads = 0 };

    private static (IReadOnlyList<RoutingRecord> Fit, IReadOnlyList<RoutingRecord> Calibration) Split(IReadOnlyList<RoutingRecord> records, int every)
    {
        if (every == 0)
        {
            return (records, records);
        }

        var fit = new List<RoutingRecord>();
        var held = new List<RoutingRecord>();
        foreach (var record in records)
        {
            (StableHash(record.Id) % (uint)every == 0 ? held : fit).Add(record);
        }

        return held.Count == 0 ? (records, records) : (fit, held);
    }

    private static uint StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }

    /// <summary>Sums the members' progress into one fraction; members report from their own threads.</summary>
    private sealed class MemberProgress(IProgress<double> total, int members)
    {
        private readonly double[] _done = new double[members];
        private readonly Lock _gate = new();

        public void Report(int member, double fraction)
        {
            lock (_gate)
            {
                _done[member] = fraction;
                total.Report(_done.Sum() / members);
            }
        }
    }

    /// <summary>Reports synchronously (Progress&lt;T&gt; posts to a context, which would reorder reports).</summary>
    private sealed class InlineProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
