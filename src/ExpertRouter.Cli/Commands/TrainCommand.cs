using System.CommandLine;
using ExpertRouter.Core.Experts;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Evaluation.Importers;
using ExpertRouter.Irt.Building;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Onnx;
using ExpertRouter.Irt.Onnx.Proto;
using ExpertRouter.Irt.Reading;
using ExpertRouter.Irt.Serving;
using ExpertRouter.Irt.Training;
using Spectre.Console;

namespace ExpertRouter.Cli.Commands;

/// <summary>
/// <c>expertrouter train --router irt --train zeroeval:train+dev --pool evals/pools/ze-12.json --encoder hashed --out /tmp/irt-ze12</c>.
/// Refuses to write into an existing, non-empty folder unless <c>--force</c> is given. <c>--train</c> takes the gateway's
/// log too (<c>log:DIR</c>, <c>log:redis://host:port</c>, merged with recorded data when both are given), and refuses
/// data too thin to train on (<see cref="LabelledData"/>).
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var router = new Option<string>("--router") { Description = "Router kind to train (irt).", DefaultValueFactory = _ => IrtRouterTrainer.RouterName };
        var train = new Option<string>("--train") { Description = "Training sources, comma-separated: recorded data (zeroeval:train, a .jsonl(.gz) file such as label's output) and the gateway's log (log:DIR, log:redis://host:port, optionally :train/:dev/:test).", Required = true };
        var pool = new Option<string>("--pool") { Description = "Pool file (evals/pools/*.json) or comma-separated expert ids.", Required = true };
        var output = new Option<string>("--out") { Description = "Router folder to write (model.onnx, router.json).", Required = true };
        var dev = new Option<string?>("--dev") { Description = "Dev source to measure and record in router.json (e.g. zeroeval:dev; log:DIR:test records off-policy estimates)." };
        var feedbackWeight = new Option<double>("--feedback-weight") { Description = "Weight of a logged user score (log sources); 0 leaves feedback out.", DefaultValueFactory = _ => LogWeights.Default.Feedback };
        var explorationWeight = new Option<double>("--exploration-weight") { Description = "Weight of a logged exploration judge score (log sources), times 1/the rate its request was sampled at (at most 10×): an explored request stands for the requests it was drawn from; 0 leaves exploration out.", DefaultValueFactory = _ => LogWeights.Default.Exploration };
        var version = new Option<string?>("--version") { Description = "router.json's version, which the gateway logs with every decision (default: model- and 12 hex digits of the graph's SHA-256)." };
        var data = new Option<string>("--data-dir") { Description = "Directory of the routing data.", DefaultValueFactory = _ => RoutingDatasetReader.DefaultDataDirectory };
        var encoder = new Option<string>("--encoder") { Description = $"Prompt encoder: {string.Join(", ", RouterCatalog.Encoders)}.", DefaultValueFactory = _ => IrtDefaults.Encoder };
        var items = new Option<string>("--items") { Description = "Whose outcomes teach the prompt side: pool (the pool's experts) or all (every model in the data).", DefaultValueFactory = _ => IrtDefaults.ItemsFromAllModels ? "all" : "pool" };
        items.AcceptOnlyFromAmong("pool", "all");
        var force = new Option<bool>("--force") { Description = "Overwrite an existing router folder (refused otherwise, so a documented command cannot replace a shipped router by accident)." };
        var name = new Option<string?>("--name") { Description = "Router name (default: the output folder's name)." };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 17 };
        var members = new Option<int>("--members") { Description = "Ensemble members (seeds).", DefaultValueFactory = _ => IrtDefaults.Members };
        var epochs = new Option<int>("--epochs") { Description = "0 = chosen from the data size.", DefaultValueFactory = _ => 0 };
        var buckets = new Option<int>("--buckets") { DefaultValueFactory = _ => IrtDefaults.Hashed.Buckets };
        var charNgrams = new Option<string>("--char-ngrams")
        {
            Description = "Lengths of the character n-grams hashed inside each word, as min-max or one length.",
            DefaultValueFactory = _ => $"{IrtDefaults.Hashed.CharNgramMin}-{IrtDefaults.Hashed.CharNgramMax}",
        };
        var dropout = new Option<float>("--feature-dropout") { DefaultValueFactory = _ => IrtDefaults.Training.FeatureDropout };
        var encoderModel = new Option<string?>("--encoder-model") { Description = "A BERT-family encoder (.onnx), frozen behind a dense head, instead of --encoder; needs --vocab." };
        var vocab = new Option<string?>("--vocab") { Description = "The encoder's WordPiece vocab.txt." };
        var maxTokens = new Option<int>("--max-tokens") { DefaultValueFactory = _ => 256 };
        var reads = new Option<string?>("--reads")
        {
            Description = "What the router reads, in training and serving, as key=value;…: messages (last-user, user, all), system (true/false), tokens, truncate (head, tail, head-tail), features. Default: the last user message, whole.",
        };
        var from = new Option<string?>("--from")
        {
            Description = "Router folder to continue from (retraining a serving router on its log): its encoder, reading policy and weights are the start, " +
                "and training pulls toward them; experts it lacks start as its average expert.",
        };
        var anchor = new Option<string>("--anchor")
        {
            Description = $"With --from: how strongly the start's weights hold, as a decay rate toward them (0 = plain fine-tuning), or 'auto': the one of {string.Join(", ", WarmStart.AnchorGrid)} with the lowest cross-validated log loss.",
            DefaultValueFactory = _ => "auto",
        };
        var command = new Command("train", "Train a router from recorded outcomes and write its folder.")
        {
            router, train, pool, output, dev, data, encoder, items, force, name, seed, members, epochs, buckets, charNgrams, dropout, encoderModel, vocab, maxTokens, reads,
            feedbackWeight, explorationWeight, version, from, anchor,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!string.Equals(parse.GetValue(router), IrtRouterTrainer.RouterName, StringComparison.OrdinalIgnoreCase))
            {
                Console.Error.WriteLine($"Unknown router '{parse.GetValue(router)}'; 'train' writes ONNX routers of kind: {IrtRouterTrainer.RouterName}.");
                return 2;
            }

            if (IrtVariantName.CharRange(parse.GetValue(charNgrams)!) is not var (charMin, charMax))
            {
                Console.Error.WriteLine($"--char-ngrams: '{parse.GetValue(charNgrams)}' is neither min-max nor one length.");
                return 2;
            }

            var hashed = IrtDefaults.Hashed with { Buckets = parse.GetValue(buckets), CharNgramMin = charMin, CharNgramMax = charMax };
            if (hashed.Validate() is { Count: > 0 } hashedErrors)
            {
                Console.Error.WriteLine(string.Join(Environment.NewLine, hashedErrors));
                return 2;
            }

            var (spec, encoderError) = PromptFeaturizers.Parse(parse.GetValue(encoder)!, hashed);
            if (spec is null)
            {
                Console.Error.WriteLine(encoderError);
                return 2;
            }

            var (policy, readsError) = parse.GetValue(reads) is { } text ? IrtVariantName.ParseReading(text) : (ReadingPolicy.Default, null);
            if (policy is null)
            {
                Console.Error.WriteLine($"--reads: {readsError}");
                return 2;
            }

            float? anchorValue = null;
            if (parse.GetValue(anchor) is { } anchorText && anchorText != "auto")
            {
                if (!float.TryParse(anchorText, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var parsed) || !(parsed >= 0))
                {
                    Console.Error.WriteLine($"--anchor: '{anchorText}' is neither 'auto' nor a number of 0 or more.");
                    return 2;
                }

                anchorValue = parsed;
            }

            var settings = new TrainSettings(
                parse.GetValue(train)!, parse.GetValue(pool)!, parse.GetValue(output)!, parse.GetValue(dev), parse.GetValue(data)!,
                parse.GetValue(name), hashed,
                IrtDefaults.Training with { Seed = parse.GetValue(seed), Epochs = parse.GetValue(epochs), FeatureDropout = parse.GetValue(dropout) },
                parse.GetValue(members))
            {
                Bert = parse.GetValue(encoderModel) is { } model
                    ? new EncoderSpec { Kind = EncoderSpec.Bert, BertModel = model, Vocabulary = parse.GetValue(vocab), MaxTokens = parse.GetValue(maxTokens) }
                    : null,
                Encoder = spec,
                ItemsFromAllModels = parse.GetValue(items) == "all",
                Force = parse.GetValue(force),
                Weights = new LogWeights(parse.GetValue(feedbackWeight), parse.GetValue(explorationWeight)),
                Version = parse.GetValue(version),
                Reads = policy,
                From = parse.GetValue(from),
                Anchor = anchorValue,
            };
            if (settings.From is not null && (parse.GetResult(encoder) is { Implicit: false } || parse.GetResult(reads) is { Implicit: false }
                || parse.GetResult(buckets) is { Implicit: false } || parse.GetResult(charNgrams) is { Implicit: false } || settings.Bert is not null || settings.ItemsFromAllModels))
            {
                Console.Error.WriteLine("--from continues the starting router with its own encoder and reading policy, on its pool's outcomes: " +
                    "leave out --encoder, --buckets, --char-ngrams, --reads, --encoder-model and --items all.");
                return 2;
            }

            if (settings.Bert is { Vocabulary: null })
            {
                Console.Error.WriteLine("--encoder-model needs --vocab (the encoder's vocab.txt).");
                return 2;
            }

            return await RunAsync(settings, cancellationToken);
        });
        return command;
    }

    internal sealed record TrainSettings(
        string Train, string Pool, string Output, string? Dev, string Data, string? Name,
        HashedNgramOptions Hashed, IrtTrainingOptions Options, int Members)
    {
        public EncoderSpec? Bert { get; init; }

        public EncoderSpec? Encoder { get; init; }

        public bool ItemsFromAllModels { get; init; }

        public bool Force { get; init; }

        public LogWeights Weights { get; init; } = LogWeights.Default;

        public string? Version { get; init; }

        public ReadingPolicy Reads { get; init; } = ReadingPolicy.Default;

        public string? From { get; init; }

        public float? Anchor { get; init; }
    }

    /// <summary>
    /// The router folder to continue from, and the settings it imposes (its encoder, reading policy and shape); an
    /// error message when it cannot be continued.
    /// </summary>
    internal static (WarmStart? Start, TrainSettings Settings, string? Error) LoadStart(string folder, TrainSettings settings)
    {
        RouterManifest manifest;
        ModelProto model;
        try
        {
            manifest = RouterManifest.Load(folder);
            model = OnnxModelFile.Read(Path.Combine(folder, manifest.Model));
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or System.Text.Json.JsonException or Google.Protobuf.InvalidProtocolBufferException)
        {
            return (null, settings, $"--from {folder}: {ex.Message}");
        }

        if (manifest.Encoder.Kind != EncoderSpec.Hashed || IrtOnnxImporter.IsDense(model))
        {
            return (null, settings, $"--from {folder}: only a hashed-n-gram router can be continued (this one reads '{manifest.Encoder.Kind}'); train it from scratch instead.");
        }

        var ensemble = IrtOnnxImporter.Read(model);
        var start = new WarmStart(ensemble, manifest.Experts.Select(e => e.Id).ToArray(), $"{Path.GetFullPath(folder)} (version {manifest.Version ?? "none"})")
        {
            Labels = manifest.Experts.Where(e => (e.Labels ?? e.ColdStartLabels) is not null).ToDictionary(e => e.Id, e => (e.Labels ?? e.ColdStartLabels)!.Value, StringComparer.Ordinal),
        };
        var hashed = manifest.Encoder.HashedNgrams ?? new HashedNgramOptions();
        return (start, settings with
        {
            Hashed = hashed,
            Encoder = manifest.Encoder,
            Reads = manifest.Reads ?? ReadingPolicy.Default,
            Options = settings.Options with { EmbeddingSize = start.EmbeddingSize, AbilityDimensions = start.AbilityDimensions },
        }, null);
    }

    /// <summary>Why <paramref name="folder"/> must not be written without --force, or null when it may.</summary>
    internal static string? RefuseOverwrite(string folder, bool force) =>
        !force && Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any()
            ? $"train: '{folder}' exists and is not empty; pass --force to overwrite it (the shipped routers live in routers/)."
            : null;

    internal static async Task<int> RunAsync(TrainSettings settings, CancellationToken cancellationToken)
    {
        if (RefuseOverwrite(settings.Output, settings.Force) is { } refusal)
        {
            Console.Error.WriteLine(refusal);
            return 2;
        }

        WarmStart? start = null;
        if (settings.From is { } fromFolder)
        {
            (start, settings, var startError) = LoadStart(fromFolder, settings);
            if (start is null)
            {
                Console.Error.WriteLine($"train: {startError}");
                return 2;
            }

            Console.WriteLine($"train: continuing from {start.Source}: its encoder, reading policy, {start.Ensemble.Members.Count} members' weights and {start.ExpertIds.Count} experts");
        }

        var sources = TrainingSources.Split([settings.Train]).ToArray();
        IReadOnlyList<RoutingRecord> records;
        IReadOnlyList<ExpertDefinition> experts;
        IReadOnlyList<RoutingRecord>? devRecords = null;
        try
        {
            records = TrainingSources.LoadTraining(sources, settings.Data, settings.Weights, m => Console.Error.WriteLine($"train: {m}"));
            experts = PoolExperts.Build(ExpertPool.Parse(settings.Pool), ModelPriceTable.Load(Path.Combine(settings.Data, "models.json")), records);
            devRecords = settings.Dev is { } devSource
                ? TrainingSources.LoadTest(devSource, settings.Data, includeOutcomes: true, m => Console.Error.WriteLine($"train: {m}"))
                : null;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or ArgumentException or KeyNotFoundException or System.Text.Json.JsonException)
        {
            Console.Error.WriteLine($"train: {ex.Message}");
            return 2;
        }

        if (LabelledData.Problems(records, experts, start?.ExpertIds.ToHashSet(StringComparer.Ordinal)) is { Count: > 0 } problems)
        {
            Console.Error.WriteLine($"train: too little labelled data in {settings.Train} to train a router for {experts.Count} experts:");
            problems.ToList().ForEach(p => Console.Error.WriteLine($"  - {p}"));
            Console.Error.WriteLine("  Label prompts for them (expertrouter label), let the gateway explore them (a tenant's exploration policy), " +
                "or add one expert to a trained router from a few labels (expertrouter add-expert).");
            return 2;
        }

        var options = IrtDefaults.Resolve(settings.Options, records.Count);
        var name = settings.Name ?? Path.GetFileName(Path.GetFullPath(settings.Output).TrimEnd(Path.DirectorySeparatorChar));
        using var bert = settings.Bert is { } spec
            ? BertOnnxEncoder.Load(spec.BertModel!, spec.Vocabulary!, spec.MaxTokens ?? 256, spec.LowerCase ?? true, new OnnxServingOptions(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)
            : null;
        // A sentence encoder embeds each prompt once into the disk cache; later runs (and eval --cv) reuse it.
        var store = settings.Bert is null && settings.Encoder?.Pretrained is { } pretrained
            ? DiskEmbeddingStore.Open(EncoderPackageExtractor.DefaultCacheRoot(), pretrained)
            : null;
        IPromptFeaturizer? featurizer = null;
        if (store is not null)
        {
            (featurizer, var error) = PromptFeaturizers.Create(
                settings.Encoder!, IrtBuild.TrainingEncoderOptions, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, store, maxFeatures: settings.Reads.MaxFeatures);
            if (featurizer is null)
            {
                Console.Error.WriteLine($"train: {error}");
                return 2;
            }
        }

        IrtBuild? build = null;
        await AnsiConsole.Progress().StartAsync(async context =>
        {
            var encoderName = settings.Bert is null ? settings.Encoder?.Name ?? "hashed" : "bert (frozen)";
            var task = context.AddTask($"training {name}: {records.Count} prompts, {experts.Count} experts, encoder {encoderName}, {settings.Members}×{options.Epochs} epochs", maxValue: 1.0);
            var request = new IrtBuildRequest
            {
                Train = records,
                Experts = experts,
                Hashed = settings.Hashed,
                Options = options,
                Members = settings.Members,
                Bert = bert,
                BertSource = settings.Bert,
                Encoder = settings.Encoder,
                ItemsFromAllModels = settings.ItemsFromAllModels,
                Featurizer = featurizer,
                Reads = settings.Reads,
                Start = start,
                Anchor = settings.Anchor,
                Progress = new SyncProgress(f => task.Value = f),
            };
            build = await Task.Run(() => IrtBuild.Run(request, cancellationToken), cancellationToken);
            store?.Flush();
            task.Value = 1.0;
        });

        DevMetrics? devMetrics = null;
        if (settings.Dev is { } dev && devRecords is not null)
        {
            devMetrics = await DevEvaluation.MeasureAsync(dev, new IrtEnsembleRouter(name, build!), build!, records, devRecords, cancellationToken);
        }

        var files = sources.Select(s => LogSource.IsLog(s)
            ? $"{s} ({settings.Weights})"
            : s).ToArray();
        var manifest = IrtRouterFolder.Write(settings.Output, name, build!, files, devMetrics, settings.Version);
        Console.WriteLine($"wrote {settings.Output} (version {manifest.Version}): {build!.Ensemble.Members.Count} members, calibration on {build.Calibration.Prompts} held-out prompts");
        if (build.ContinuedFrom is { } continued)
        {
            var tried = continued.CrossValidatedLogLoss is { } losses
                ? " (cross-validated log loss " + string.Join(", ", losses.Select(l => $"{l.Key}: {l.Value:F4}")) + ")"
                : "";
            Console.WriteLine($"continued from {continued.From} with anchor {continued.Anchor}{tried}");
        }

        if (devMetrics is not null)
        {
            var match = devMetrics.CostFractionToMatchBest is { } f ? $"{f:P1} of its cost" : "never";
            var estimate = devMetrics.Estimator is null ? "" : " (off-policy estimates)";
            Console.WriteLine($"dev{estimate}: AIQ {devMetrics.Aiq:F4}, log loss {devMetrics.LogLoss:F4}, matches {devMetrics.BestSingleExpert} ({devMetrics.BestSingleScore:F4}) at {match}");
        }

        return 0;
    }

    private sealed class SyncProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
