using System.Text.Json;
using ExpertRouter.Evaluation.Data;

namespace ExpertRouter.Evaluation.Importers;

/// <summary>
/// Reads ZeroEval's <c>result_dirs/{gsm,crux,math-l5}/&lt;model&gt;.json</c> (a list of items with id, chat_history,
/// answer and output) into routing records: the prompt is chat_history[0], the model name ZeroEval's published name,
/// and the score <see cref="ZeroEvalAnswerScoring"/>'s. MATH-level5 rows are hidden (split "test") as in the shared data.
/// </summary>
public static class ZeroEvalImporter
{
    public const string Benchmark = "zeroeval";

    private static readonly (string Folder, string Task)[] Tasks = [("gsm", "gsm8k"), ("crux", "crux"), ("math-l5", "math-l5")];

    private static readonly (string From, string To)[] ModelNames =
    [
        ("gemma-2-9b-it@nvidia", "gemma-2-9b-it"), ("gemma-2-9b-it@together", "gemma-2-9b-it"),
        ("gemma-2-27b-it@together", "gemma-2-27b-it"), ("gemma-2-27b-it@nvidia", "gemma-2-27b-it"),
        ("deepseek-chat", "deepseek-v2-chat-0628"), ("deepseek-coder", "deepseek-v2-coder-0614"),
        ("DeepSeek-Coder-V2-0724", "deepseek-v2-coder-0724"),
        ("Llama-3.1-405B-Inst-fp8", "Llama-3.1-405B-Inst-fp8@together"),
        ("Llama-3.1-405B-Instruct-Turbo", "Llama-3.1-405B-Inst-fp8@together"),
        ("Meta-Llama-3.1-405B-Instruct@hyperbolic", "Llama-3.1-405B-Inst@hyperbolic"),
    ];

    /// <param name="root">The folder holding <c>result_dirs/</c>.</param>
    public static IReadOnlyList<RoutingRecord> Import(string root)
    {
        var rows = new Dictionary<string, (RoutingRecord Record, Dictionary<string, RecordedOutcome> Outcomes)>();
        var order = new List<string>();
        foreach (var (folder, task) in Tasks)
        {
            var directory = Path.Combine(root, "result_dirs", folder);
            if (!Directory.Exists(directory))
            {
                continue;
            }

            foreach (var file in Directory.GetFiles(directory, "*.json").Order(StringComparer.Ordinal))
            {
                var model = ModelName(Path.GetFileNameWithoutExtension(file));
                using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
                foreach (var item in doc.RootElement.EnumerateArray())
                {
                    var qid = Text(item.GetProperty("id"));
                    var id = folder == "math-l5" ? "math-l5-#" + qid : qid;
                    var gold = item.TryGetProperty("answer", out var a) ? Text(a) : "";
                    if (!rows.TryGetValue(id, out var row))
                    {
                        row = (NewRecord(id, task, folder, item, gold), new Dictionary<string, RecordedOutcome>(StringComparer.Ordinal));
                        rows[id] = row;
                        order.Add(id);
                    }

                    var output = FirstOutput(item);
                    var score = ZeroEvalAnswerScoring.Score(folder, ZeroEvalAnswerScoring.ExtractAnswer(model, output), gold);
                    row.Outcomes[model] = ImportRules.Outcome(score, output);
                }
            }
        }

        return ImportRules.Finish(order.Select(id => rows[id].Record with { Outcomes = rows[id].Outcomes }));
    }

    public static string ModelName(string name) =>
        ModelNames.Aggregate(name, (n, r) => n.Replace(r.From, r.To, StringComparison.Ordinal));

    private static RoutingRecord NewRecord(string id, string task, string folder, JsonElement item, string gold)
    {
        var prompt = item.TryGetProperty("chat_history", out var history) && history.ValueKind == JsonValueKind.Array && history.GetArrayLength() > 0
            ? Text(history[0])
            : item.TryGetProperty("question", out var q) ? Text(q) : item.TryGetProperty("problem", out var p) ? Text(p) : "";
        return new RoutingRecord
        {
            Id = id,
            Benchmark = Benchmark,
            Task = task,
            Split = folder == "math-l5" ? "test" : ImportRules.SplitOf(Benchmark, id),
            Prompt = prompt,
            Reference = folder == "gsm" ? gold.Replace("#", "", StringComparison.Ordinal).Trim() : gold,
        };
    }

    private static string FirstOutput(JsonElement item)
    {
        if (!item.TryGetProperty("output", out var output))
        {
            return "";
        }

        return output.ValueKind == JsonValueKind.Array
            ? (output.GetArrayLength() > 0 ? Text(output[0]) : "")
            : Text(output);
    }

    private static string Text(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : value.ValueKind == JsonValueKind.Null ? "" : value.GetRawText();
}
