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

    /// <summary>The warm start this build continued from, with the anchor it kept; null when trained from scratch.</summary>
    public WarmStartRecord? ContinuedFrom { get; init; }

    /// <summary>Per pool expert, the prompts it was learned from: the training data's with its outcome, plus the warm start's.</summary>
    public IReadOnlyDictionary<string, int> Labels { get; init; } = new Dictionary<string, int>();

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
        var pick = (Members: Array.Empty<IrtParameters>(), Record: (WarmStartRecord?)null);
        if (request.Start is { } start)
        {
            if (start.Problems(pool, featurizer.InputRows) is { Count: > 0 } problems)
            {
                throw new ArgumentException("Invalid warm start: " + string.Join(" ", problems), nameof(request));
            }

            pick = Continue(request, start, pool, examples, cancellationToken);
        }
        else
        {
            var progress = request.Progress is null ? null : new MemberProgress(request.Progress, request.Members);
            pick.Members = TrainMembers(
                request,
                examples,
                progress,
                0,
                member => (IrtTrainer.Initialize(featurizer.InputRows, ids.Length, member.Options, identityEmbedding: dense), null),
                // A sentence encoder's vector is the input itself: an identity table as wide as it, frozen, undropped.
                member => dense ? member with { Options = member.Options with { EmbeddingSize = featurizer.InputRows, FeatureDropout = 0 } } : member,
                dense,
                cancellationToken);
        }

        // The pool's experts are the first rows; the other models only taught the prompt side.
        var members = pick.Members.Select(p => ids.Length == pool.Length ? p : p.WithExperts(pool.Length)).ToArray();
        var ensemble = new IrtEnsemble(members);
        var predictions = calibration.Select(r => ensemble.Predict(features[r.Prompt])).ToArray();
        var source = request.CalibrationHoldoutEvery == 0
            ? "training prompts (in-sample)"
            : $"held-out training prompts (1 in {request.CalibrationHoldoutEvery} by id hash)";
        var calibrated = RouterCalibrator.Build(source, calibration, predictions, request.Experts);
        return new IrtBuild(ensemble, featurizer, request.Experts, calibrated, request, fit.Count, examples.Sum(e => e.Experts.Length))
        {
            ItemModels = ids,
            ContinuedFrom = pick.Record,
            Labels = LabelsOf(request),
        };
    }

    private static Dictionary<string, int> LabelsOf(IrtBuildRequest request)
    {
        var labels = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var expert in request.Experts)
        {
            var prompts = request.Train.Where(r => r.Outcomes.ContainsKey(expert.Id)).Select(r => r.Prompt).Distinct(StringComparer.Ordinal).Count();
            labels[expert.Id] = prompts + (request.Start?.Labels.GetValueOrDefault(expert.Id) ?? 0);
        }

        return labels;
    }

    /// <summary>
    /// Trains the members from the warm start. Unless the request names the anchor, each of
    /// <see cref="WarmStart.AnchorGrid"/> is tried by <see cref="AnchorFolds"/>-fold cross-validation over the training
    /// examples and the one with the lowest expert-balanced log loss is kept (a log's held-out tenth is too small and
    /// too dominated by the served expert to choose by: one seed's choice on it cost most of the gain).
    /// </summary>
    private static (IrtParameters[] Members, WarmStartRecord? Record) Continue(
        IrtBuildRequest request, WarmStart start, string[] pool, IrtExample[] examples, CancellationToken cancellationToken)
    {
        var newExperts = start.NewExperts(pool);
        IrtParameters[] Train(IrtExample[] data, float anchor, MemberProgress? progress, int offset)
        {
            // Placed from the examples this training sees, so a fold's newcomer never learns from its test outcomes.
            var placed = start.WithNewExpertsPlaced(pool, data);
            return TrainMembers(
                request,
                data,
                progress,
                offset,
                member => (placed.MemberFor(member.Index, pool), new IrtAnchor(placed.MemberFor(member.Index, pool), anchor, newExperts)),
                member => member,
                dense: false,
                cancellationToken);
        }

        var anchors = request.Anchor is { } given ? [given] : examples.Length < 2 * AnchorFolds ? [WarmStart.DefaultAnchor] : WarmStart.AnchorGrid.ToArray();
        var folds = anchors.Length == 1 ? 0 : AnchorFolds;
        var progress = request.Progress is null ? null : new MemberProgress(request.Progress, request.Members * (anchors.Length * folds + 1));
        var losses = new Dictionary<string, double>(StringComparer.Ordinal);
        var chosen = anchors[0];
        if (folds > 0)
        {
            var bestLoss = double.PositiveInfinity;
            for (var a = 0; a < anchors.Length; a++)
            {
                var loss = 0.0;
                for (var fold = 0; fold < folds; fold++)
                {
                    var train = examples.Where((_, i) => i % folds != fold).ToArray();
                    var test = examples.Where((_, i) => i % folds == fold).ToArray();
                    loss += BalancedLogLoss(new IrtEnsemble(Train(train, anchors[a], progress, (a * folds + fold) * request.Members)), test, pool.Length) / folds;
                }

                losses[anchors[a].ToString(System.Globalization.CultureInfo.InvariantCulture)] = Math.Round(loss, 6);
                if (loss < bestLoss)
                {
                    (bestLoss, chosen) = (loss, anchors[a]);
                }
            }
        }

        var members = Train(examples, chosen, progress, anchors.Length * folds * request.Members);
        return (members, new WarmStartRecord
        {
            From = start.Source,
            Anchor = chosen,
            CrossValidatedLogLoss = folds == 0 ? null : losses,
        });
    }

    /// <summary>Folds the anchor is chosen by.</summary>
    public const int AnchorFolds = 5;

    /// <summary>
    /// Weighted binary cross-entropy of the ensemble's averaged probabilities, averaged per expert and then over the
    /// experts with an outcome, so the served expert's many logged outcomes do not outvote the rest.
    /// </summary>
    private static double BalancedLogLoss(IrtEnsemble ensemble, IReadOnlyList<IrtExample> examples, int experts)
    {
        var loss = new double[experts];
        var weight = new double[experts];
        foreach (var example in examples)
        {
            var probabilities = ensemble.Predict(example.Features);
            for (var j = 0; j < example.Experts.Length; j++)
            {
                var m = example.Experts[j];
                var q = Math.Clamp(probabilities[m], 1e-6, 1 - 1e-6);
                var y = example.Scores[j];
                var w = example.WeightOf(j);
                loss[m] -= w * (y * Math.Log(q) + (1 - y) * Math.Log(1 - q));
                weight[m] += w;
            }
        }

        var seen = Enumerable.Range(0, experts).Where(m => weight[m] > 0).ToArray();
        return seen.Length == 0 ? double.NaN : seen.Average(m => loss[m] / weight[m]);
    }

    private sealed record MemberSetup(int Index, IrtTrainingOptions Options);

    /// <summary>
    /// Trains <see cref="IrtBuildRequest.Members"/> members, each from its own seed. Members are independent (own seed,
    /// own weights, read-only shared examples), so they train in parallel and land in their seed's slot: the ensemble
    /// is the same whatever the scheduling, and the wall time on 2 cores halves.
    /// </summary>
    private static IrtParameters[] TrainMembers(
        IrtBuildRequest request,
        IrtExample[] examples,
        MemberProgress? progress,
        int progressOffset,
        Func<MemberSetup, (IrtParameters Start, IrtAnchor? Anchor)> initialize,
        Func<MemberSetup, MemberSetup> configure,
        bool dense,
        CancellationToken cancellationToken)
    {
        var members = new IrtParameters[request.Members];
        Parallel.For(
            0,
            request.Members,
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            i =>
            {
                var setup = configure(new MemberSetup(i, request.Options with { Seed = request.Options.Seed + i }));
                var (p, anchor) = initialize(setup);
                var memberProgress = progress is null ? null : new InlineProgress(f => progress.Report(progressOffset + i, f));
                IrtTrainer.Fit(p, examples, setup.Options, freezeEmbedding: dense, progress: memberProgress, cancellationToken: cancellationToken, anchor: anchor);
                p.RoundEmbeddingToHalf();
                members[i] = p;
            });
        return members;
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
