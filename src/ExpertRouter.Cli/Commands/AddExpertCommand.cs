using System.CommandLine;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Irt.Building;
using ExpertRouter.Irt.Serving;

namespace ExpertRouter.Cli.Commands;

/// <summary><c>expertrouter add-expert --router routers/irt-ze12 --expert gpt-4o-2024-05-13 --labels zeroeval:train</c>.</summary>
internal static class AddExpertCommand
{
    public static Command Create()
    {
        var router = new Option<string>("--router") { Description = "Router folder to extend.", Required = true };
        var expert = new Option<string>("--expert") { Description = "Id of the new expert (priced from models.json).", Required = true };
        var labels = new Option<string>("--labels") { Description = "Routing-data source with the new expert's outcomes.", Required = true };
        var maxLabels = new Option<int>("--max-labels") { Description = "Labelled prompts to use, sampled with --seed.", DefaultValueFactory = _ => 50 };
        var calibrate = new Option<string?>("--calibrate") { Description = "Prompts to recalibrate λ on (e.g. zeroeval:train)." };
        var data = new Option<string>("--data-dir") { Description = "Directory of the routing data.", DefaultValueFactory = _ => RoutingDatasetReader.DefaultDataDirectory };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 17 };
        var command = new Command("add-expert", "Cold start: fit a new expert's ability from a few labelled prompts.")
        {
            router, expert, labels, maxLabels, calibrate, data, seed,
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

            var all = RoutingDatasetReader.Load(parse.GetValue(labels)!, dataDirectory);
            var sample = Sample(all.Where(r => r.Outcomes.ContainsKey(id)).ToArray(), parse.GetValue(maxLabels), parse.GetValue(seed));
            var calibration = parse.GetValue(calibrate) is { } source ? RoutingDatasetReader.Load(source, dataDirectory) : null;
            var definition = new RouterExpert
            {
                Id = id,
                InputUsdPerMTok = price.InputUsdPerMTok ?? 0,
                OutputUsdPerMTok = price.OutputUsdPerMTok ?? 0,
                ExpectedOutputTokens = PoolExperts.MeanOutputTokens(sample, id),
            };
            try
            {
                var result = ColdStartFolder.AddExpert(parse.GetValue(router)!, definition, sample, calibration);
                Console.WriteLine($"added {id} to {result.Manifest.Name} from {result.LabelsUsed} labelled prompts ({result.Manifest.Experts.Count} experts now)");
                return 0;
            }
            catch (InvalidOperationException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return 2;
            }
        });
        return command;
    }

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
