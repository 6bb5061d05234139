using System.CommandLine;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Irt.Building;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Serving;
using ExpertRouter.Irt.Training;
using Spectre.Console;

namespace ExpertRouter.Cli.Commands;

/// <summary><c>expertrouter train --router irt --train zeroeval:train --pool evals/pools/ze-12.json --out routers/irt-ze12</c>.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var router = new Option<string>("--router") { Description = "Router kind to train (irt).", DefaultValueFactory = _ => IrtRouterTrainer.RouterName };
        var train = new Option<string>("--train") { Description = "Training sources, comma-separated (e.g. zeroeval:train).", Required = true };
        var pool = new Option<string>("--pool") { Description = "Pool file (evals/pools/*.json) or comma-separated expert ids.", Required = true };
        var output = new Option<string>("--out") { Description = "Router folder to write (model.onnx, router.json).", Required = true };
        var dev = new Option<string?>("--dev") { Description = "Dev source to measure and record in router.json (e.g. zeroeval:dev)." };
        var data = new Option<string>("--data") { Description = "Directory of the routing data.", DefaultValueFactory = _ => RoutingDatasetReader.DefaultDataDirectory };
        var name = new Option<string?>("--name") { Description = "Router name (default: the output folder's name)." };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 17 };
        var members = new Option<int>("--members") { Description = "Ensemble members (seeds).", DefaultValueFactory = _ => IrtDefaults.Members };
        var epochs = new Option<int>("--epochs") { Description = "0 = chosen from the data size.", DefaultValueFactory = _ => 0 };
        var buckets = new Option<int>("--buckets") { DefaultValueFactory = _ => IrtDefaults.Hashed.Buckets };
        var dropout = new Option<float>("--feature-dropout") { DefaultValueFactory = _ => IrtDefaults.Training.FeatureDropout };
        var encoderModel = new Option<string?>("--encoder-model") { Description = "A BERT-family encoder (.onnx) to use instead of hashed n-grams; needs --vocab." };
        var vocab = new Option<string?>("--vocab") { Description = "The encoder's WordPiece vocab.txt." };
        var maxTokens = new Option<int>("--max-tokens") { DefaultValueFactory = _ => 256 };
        var command = new Command("train", "Train a router from recorded outcomes and write its folder.")
        {
            router, train, pool, output, dev, data, name, seed, members, epochs, buckets, dropout, encoderModel, vocab, maxTokens,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!string.Equals(parse.GetValue(router), IrtRouterTrainer.RouterName, StringComparison.OrdinalIgnoreCase))
            {
                Console.Error.WriteLine($"Unknown router '{parse.GetValue(router)}'; 'train' writes ONNX routers of kind: {IrtRouterTrainer.RouterName}.");
                return 2;
            }

            var settings = new TrainSettings(
                parse.GetValue(train)!, parse.GetValue(pool)!, parse.GetValue(output)!, parse.GetValue(dev), parse.GetValue(data)!,
                parse.GetValue(name), new HashedNgramOptions { Buckets = parse.GetValue(buckets) },
                IrtDefaults.Training with { Seed = parse.GetValue(seed), Epochs = parse.GetValue(epochs), FeatureDropout = parse.GetValue(dropout) },
                parse.GetValue(members))
            {
                Bert = parse.GetValue(encoderModel) is { } model
                    ? new EncoderSpec { Kind = EncoderSpec.Bert, BertModel = model, Vocabulary = parse.GetValue(vocab), MaxTokens = parse.GetValue(maxTokens) }
                    : null,
            };
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
    }

    internal static async Task<int> RunAsync(TrainSettings settings, CancellationToken cancellationToken)
    {
        var sources = settings.Train.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var records = sources.SelectMany(s => RoutingDatasetReader.Load(s, settings.Data)).ToList();
        var experts = PoolExperts.Build(ExpertPool.Parse(settings.Pool), ModelPriceTable.Load(Path.Combine(settings.Data, "models.json")), records);
        var options = IrtDefaults.Resolve(settings.Options, records.Count);
        var name = settings.Name ?? Path.GetFileName(Path.GetFullPath(settings.Output).TrimEnd(Path.DirectorySeparatorChar));
        using var bert = settings.Bert is { } spec
            ? BertOnnxEncoder.Load(spec.BertModel!, spec.Vocabulary!, spec.MaxTokens ?? 256, spec.LowerCase ?? true, new OnnxServingOptions(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)
            : null;
        IrtBuild? build = null;
        await AnsiConsole.Progress().StartAsync(async context =>
        {
            var task = context.AddTask($"training {name}: {records.Count} prompts, {experts.Count} experts, {settings.Members}×{options.Epochs} epochs", maxValue: 1.0);
            var request = new IrtBuildRequest
            {
                Train = records,
                Experts = experts,
                Hashed = settings.Hashed,
                Options = options,
                Members = settings.Members,
                Bert = bert,
                BertSource = settings.Bert,
                Progress = new SyncProgress(f => task.Value = f),
            };
            build = await Task.Run(() => IrtBuild.Run(request, cancellationToken), cancellationToken);
            task.Value = 1.0;
        });

        DevMetrics? devMetrics = null;
        if (settings.Dev is { } devSource)
        {
            var devRecords = RoutingDatasetReader.Load(devSource, settings.Data);
            devMetrics = await DevEvaluation.MeasureAsync(devSource, new IrtEnsembleRouter(name, build!), build!, records, devRecords, cancellationToken);
        }

        IrtRouterFolder.Write(settings.Output, name, build!, sources, devMetrics);
        Console.WriteLine($"wrote {settings.Output}: {build!.Ensemble.Members.Count} members, calibration on {build.Calibration.Prompts} held-out prompts");
        if (devMetrics is not null)
        {
            var match = devMetrics.CostFractionToMatchBest is { } f ? $"{f:P1} of its cost" : "never";
            Console.WriteLine($"dev: AIQ {devMetrics.Aiq:F4}, log loss {devMetrics.LogLoss:F4}, matches {devMetrics.BestSingleExpert} ({devMetrics.BestSingleScore:F4}) at {match}");
        }

        return 0;
    }

    private sealed class SyncProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
