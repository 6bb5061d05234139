using System.CommandLine;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Evaluation.Importers;
using ExpertRouter.Irt.Building;
using ExpertRouter.Irt.Serving;

namespace ExpertRouter.Cli.Commands;

/// <summary>
/// <c>expertrouter add-expert --router routers/irt-ze12 --expert gpt-4o-2024-05-13 --labels zeroeval:train</c>; the labels
/// may be a file written by <c>expertrouter label</c> or the gateway's log (<c>log:DIR</c>, <c>log:redis://host:port</c>).
/// </summary>
internal static class AddExpertCommand
{
    public static Command Create()
    {
        var router = new Option<string>("--router") { Description = "Router folder to extend.", Required = true };
        var expert = new Option<string>("--expert") { Description = "Id of the new expert (priced from models.json).", Required = true };
        var labels = new Option<string>("--labels") { Description = "Source with the new expert's outcomes: routing data (zeroeval:train), label's output (labels.jsonl) or the gateway's log (log:DIR, log:redis://host:port).", Required = true };
        var maxLabels = new Option<int>("--max-labels") { Description = "Labelled prompts to use, sampled with --seed.", DefaultValueFactory = _ => 50 };
        var calibrate = new Option<string?>("--calibrate") { Description = "Prompts to recalibrate λ on (e.g. zeroeval:train)." };
        var data = new Option<string>("--data-dir") { Description = "Directory of the routing data.", DefaultValueFactory = _ => RoutingDatasetReader.DefaultDataDirectory };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 17 };
        var feedbackWeight = new Option<double>("--feedback-weight") { Description = "Weight of logged user scores (log sources); 0 leaves feedback out.", DefaultValueFactory = _ => LogWeights.Default.Feedback };
        var explorationWeight = new Option<double>("--exploration-weight") { Description = "Weight of logged exploration judge scores (log sources), times 1/the rate their request was sampled at (at most 10×); 0 leaves exploration out.", DefaultValueFactory = _ => LogWeights.Default.Exploration };
        var version = new Option<string?>("--version") { Description = "The folder's new version (default: model- and 12 hex digits of the new graph's SHA-256)." };
        var command = new Command("add-expert", "Cold start: fit a new expert's ability from a few labelled prompts.")
        {
            router, expert, labels, maxLabels, calibrate, data, seed, feedbackWeight, explorationWeight, version,
        };
        command.SetAction(parse =>
        {
            var id = parse.GetValue(expert)!;
            var dataDirectory = parse.GetValue(data)!;
            var prices = ModelPriceTable.Load(Path.Combine(dataDirectory, "models.json"));
            if (!prices.TryGet(id, out var price))
            {
                Console.Error.WriteLine($"Expert '{id}' has no price in models.json.");
                return 2;
            }

            IReadOnlyList<RoutingRecord> all;
            IReadOnlyList<RoutingRecord>? calibration;
            try
            {
                var weights = new LogWeights(parse.GetValue(feedbackWeight), parse.GetValue(explorationWeight));
                all = TrainingSources.LoadTraining(parse.GetValue(labels)!, dataDirectory, weights, m => Console.Error.WriteLine($"add-expert: {m}"));
                calibration = parse.GetValue(calibrate) is { } source
                    ? TrainingSources.LoadTraining(source, dataDirectory, weights, m => Console.Error.WriteLine($"add-expert: {m}"))
                    : null;
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or ArgumentException or System.Text.Json.JsonException)
            {
                Console.Error.WriteLine($"add-expert: {ex.Message}");
                return 2;
            }

            var sample = Sample(all.Where(r => r.Outcomes.TryGetValue(id, out var o) && o.Weight is not <= 0).ToArray(), parse.GetValue(maxLabels), parse.GetValue(seed));
            if (sample.Length == 0)
            {
                Console.Error.WriteLine($"add-expert: {parse.GetValue(labels)} has no labelled prompt for '{id}'; label some with " +
                    $"expertrouter label --experts {id} (10 are a start, 25–50 come within 0.03 log loss of full retraining).");
                return 2;
            }

            if (sample.Length < MinLabels)
            {
                Console.Error.WriteLine($"add-expert: only {sample.Length} labelled prompts for '{id}'; with fewer than {MinLabels} an expert " +
                    "far from the average is placed badly (docs/routing.md). Adding it anyway.");
            }

            var definition = new RouterExpert
            {
                Id = id,
                InputUsdPerMTok = price.InputUsdPerMTok ?? 0,
                OutputUsdPerMTok = price.OutputUsdPerMTok ?? 0,
                ExpectedOutputTokens = PoolExperts.MeanOutputTokens(sample, id),
            };
            try
            {
                var result = ColdStartFolder.AddExpert(parse.GetValue(router)!, definition, sample, calibration, parse.GetValue(version));
                Console.WriteLine($"added {id} to {result.Manifest.Name} from {result.LabelsUsed} labelled prompts ({result.Manifest.Experts.Count} experts now, version {result.Manifest.Version})");
                return 0;
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or InvalidDataException)
            {
                Console.Error.WriteLine(ex.Message);
                return 2;
            }
        });
        return command;
    }

    /// <summary>Below this many labels add-expert warns (cold start's own table: 10 are too few for an unusual expert).</summary>
    public const int MinLabels = 10;

    /// <summary>A seeded sample without replacement, in file order.</summary>
    internal static RoutingRecord[] Sample(RoutingRecord[] records, int count, int seed)
    {
        if (records.Length <= count)
        {
            return records;
        }

        var indices = Enumerable.Range(0, records.Length).ToArray();
        new Random(seed).Shuffle(indices);
        return indices.Take(count).Order().Select(i => records[i]).ToArray();
    }
}
