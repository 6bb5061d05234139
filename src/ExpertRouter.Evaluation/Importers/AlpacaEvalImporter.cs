using System.Text.Json;
using ExpertRouter.Evaluation.Data;

namespace ExpertRouter.Evaluation.Importers;

/// <summary>
/// Reads AlpacaEval's <c>results/</c>: the reference model's <c>model_outputs.json</c> defines the prompts (instruction,
/// dataset → task), and each model's <c>weighted_alpaca_eval_gpt4_turbo/annotations.json</c> gives the judge's
/// preference p ∈ [1, 2] for its output over the reference; score = p − 1. The reference itself scores 0.5.
/// </summary>
public static class AlpacaEvalImporter
{
    public const string Benchmark = "alpacaeval";

    public const string Reference = "gpt4_1106_preview";

    public const string Annotator = "weighted_alpaca_eval_gpt4_turbo";

    /// <summary>The adversarial constant "model" from the benchmark-cheating study is not a model.</summary>
    public static readonly IReadOnlySet<string> Excluded = new HashSet<string>(StringComparer.Ordinal) { "NullModel" };

    /// <param name="root">The folder holding <c>results/</c>.</param>
    public static IReadOnlyList<RoutingRecord> Import(string root)
    {
        var results = Path.Combine(root, "results");
        using var reference = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(results, Reference, "model_outputs.json")));
        var records = new List<RoutingRecord>();
        var outcomes = new List<Dictionary<string, RecordedOutcome>>();
        var byInstruction = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (row, i) in reference.RootElement.EnumerateArray().Select((r, i) => (r, i)))
        {
            var id = $"alpacaeval-{i:D3}";
            var instruction = row.GetProperty("instruction").GetString() ?? "";
            var output = row.GetProperty("output").GetString() ?? "";
            byInstruction[instruction] = records.Count;
            records.Add(new RoutingRecord
            {
                Id = id, Benchmark = Benchmark, Task = row.TryGetProperty("dataset", out var d) ? d.GetString() ?? "" : "",
                Split = ImportRules.SplitOf(Benchmark, id), Prompt = instruction, Reference = output,
            });
            outcomes.Add(new Dictionary<string, RecordedOutcome>(StringComparer.Ordinal) { [Reference] = ImportRules.Outcome(0.5, output) });
        }

        foreach (var file in Directory.GetFiles(results, "annotations.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var annotatorDir = Path.GetDirectoryName(file)!;
            var model = Path.GetFileName(Path.GetDirectoryName(annotatorDir))!;
            if (Path.GetFileName(annotatorDir) != Annotator || model == Reference || Excluded.Contains(model))
            {
                continue;
            }

            using var annotations = JsonDocument.Parse(File.ReadAllBytes(file));
            foreach (var a in annotations.RootElement.EnumerateArray())
            {
                if (Preference(a) is not { } p || !byInstruction.TryGetValue(a.GetProperty("instruction").GetString() ?? "", out var index))
                {
                    continue;
                }

                var text = a.TryGetProperty("output_2", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString() : "";
                outcomes[index][model] = ImportRules.Outcome(p - 1.0, text);
            }
        }

        return ImportRules.Finish(records.Select((r, i) => r with { Outcomes = outcomes[i] }));
    }

    private static double? Preference(JsonElement annotation)
    {
        if (!annotation.TryGetProperty("preference", out var p))
        {
            return null;
        }

        double value;
        if (p.ValueKind == JsonValueKind.Number)
        {
            value = p.GetDouble();
        }
        else if (p.ValueKind != JsonValueKind.String || !double.TryParse(p.GetString(), System.Globalization.CultureInfo.InvariantCulture, out value))
        {
            return null;
        }

        return value is >= 1.0 and <= 2.0 ? value : null;
    }
}
