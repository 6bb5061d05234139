using System.CommandLine;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Evaluation.Importers;

namespace ExpertRouter.Cli.Commands;

/// <summary>
/// <c>expertrouter import</c>: converts a public result dump or the gateway's feedback log into the routing-data
/// schema, so eval and route-batch can use your own data.
/// </summary>
internal static class ImportCommand
{
    private static readonly Dictionary<string, Func<string, IReadOnlyList<RoutingRecord>>> Formats = new(StringComparer.OrdinalIgnoreCase)
    {
        ["zeroeval"] = ZeroEvalImporter.Import,
        ["mmlupro"] = MmluProImporter.Import,
        ["alpacaeval"] = AlpacaEvalImporter.Import,
        ["feedback"] = FeedbackLogImporter.ImportFile,
    };

    public static Command Create()
    {
        var format = new Option<string>("--format")
        {
            Description = "zeroeval (folder with result_dirs/), mmlupro (folder with eval_results/*.zip), alpacaeval (folder with results/), feedback (gateway log JSONL).",
            Required = true,
        };
        format.AcceptOnlyFromAmong([.. Formats.Keys]);
        var input = new Option<string>("--input") { Description = "Source folder or log file.", Required = true };
        var output = new Option<string>("--out") { Description = "Output .jsonl.gz in the routing-data schema.", Required = true };
        var command = new Command("import", "Convert ZeroEval, MMLU-Pro, AlpacaEval dumps or the gateway feedback log into routing data.")
        {
            format, input, output,
        };
        command.SetAction(parse =>
        {
            var source = parse.GetValue(input)!;
            if (!Directory.Exists(source) && !File.Exists(source))
            {
                Console.Error.WriteLine($"import: '{source}' does not exist.");
                return 2;
            }

            var records = Formats[parse.GetValue(format)!](source);
            RoutingDatasetWriter.Write(parse.GetValue(output)!, records);
            var outcomes = records.Sum(r => r.Outcomes.Count);
            var models = records.SelectMany(r => r.Outcomes.Keys).Distinct().Count();
            Console.Error.WriteLine($"import: {records.Count} prompts, {models} models, {outcomes} outcomes → {parse.GetValue(output)}");
            return 0;
        });
        return command;
    }
}
