using ExpertRouter.Core.Experts;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Irt.Calibration;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Model;
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
    public float[] Predict(string prompt) => Ensemble.Predict(Featurizer.Featurize(prompt));

    /// <summary>Trains the ensemble and calibrates it. Deterministic for the request's seed.</summary>
    public static IrtBuild Run(IrtBuildRequest request, CancellationToken cancellationToken = default)
    {
        var errors = request.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid IRT build: " + string.Join(" ", errors), nameof(request));
        }

        var (fit, calibration) = Split(request.Train, request.CalibrationHoldoutEvery);
        IPromptFeaturizer featurizer = request.Bert is { } bert ? new BertFeaturizer(bert) : new HashedNgramFeaturizer(request.Hashed);
        var dense = featurizer is BertFeaturizer;
        if (featurizer is BertFeaturizer warm)
        {
            warm.Warm(request.Train.Select(r => r.Prompt));
        }

        var ids = request.Experts.Select(e => e.Id).ToArray();
        var examples = IrtDataset.Build(fit, ids, featurizer.Featurize);
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
                members[i] = p;
            });

        var ensemble = new IrtEnsemble(members);
        var predictions = calibration.Select(r => ensemble.Predict(featurizer.Featurize(r.Prompt))).ToArray();
        var source = request.CalibrationHoldoutEvery == 0
            ? "training prompts (in-sample)"
            : $"held-out training prompts (1 in {request.CalibrationHoldoutEvery} by id hash)";
        var calibrated = RouterCalibrator.Build(source, calibration, predictions, request.Experts);
        return new IrtBuild(ensemble, featurizer, request.Experts, calibrated, request, fit.Count, examples.Sum(e => e.Experts.Length));
    }

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
