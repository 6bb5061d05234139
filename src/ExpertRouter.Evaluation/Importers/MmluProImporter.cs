using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using ExpertRouter.Evaluation.Data;

namespace ExpertRouter.Evaluation.Importers;

/// <summary>
/// Reads MMLU-Pro's <c>eval_results/model_outputs_&lt;model&gt;_&lt;n&gt;shots.zip</c> archives (per-category JSON lists
/// of question_id, question, options, answer, pred, model_outputs). Score = 1 when pred equals the answer letter. The
/// archives come from different revisions of the test set: the newest model's question text and answer are
/// canonical, outcomes for the same wording are re-scored against that answer, and outcomes for other wording are
/// dropped (make.py's rule).
/// </summary>
public static partial class MmluProImporter
{
    public const string Benchmark = "mmlu-pro";

    private const string Letters = "ABCDEFGHIJKLMNOP";

    private static readonly string[] NewestFirst =
    [
        "gemini-1.5-pro-002", "gemini-1.5-flash-002", "jamba-1.5-large", "Meta-Llama-3.1-70B-Instruct",
        "Meta-Llama-3.1-8B-Instruct", "Meta-Llama-3.1-70B", "Meta-Llama-3.1-8B", "mathstral-7B",
    ];

    /// <param name="root">The folder holding <c>eval_results/</c>.</param>
    public static IReadOnlyList<RoutingRecord> Import(string root)
    {
        var perModel = new SortedDictionary<string, Dictionary<int, Item>>(StringComparer.Ordinal);
        foreach (var zip in Directory.GetFiles(Path.Combine(root, "eval_results"), "*.zip").Order(StringComparer.Ordinal))
        {
            var model = ModelName(Path.GetFileName(zip));
            if (!perModel.TryGetValue(model, out var items))
            {
                perModel[model] = items = [];
            }

            using var archive = ZipFile.OpenRead(zip);
            foreach (var entry in archive.Entries.Where(e => e.FullName.EndsWith(".json", StringComparison.Ordinal) && !e.FullName.Contains("__MACOSX", StringComparison.Ordinal)).OrderBy(e => e.FullName, StringComparer.Ordinal))
            {
                using var stream = entry.Open();
                using var doc = JsonDocument.Parse(stream);
                foreach (var element in doc.RootElement.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("question_id", out _)))
                {
                    var item = Item.From(element);
                    items[item.QuestionId] = item;
                }
            }
        }

        var order = NewestFirst.Where(perModel.ContainsKey).Concat(perModel.Keys.Where(m => !NewestFirst.Contains(m))).ToArray();
        var canonical = new SortedDictionary<int, Item>();
        foreach (var model in order)
        {
            foreach (var (qid, item) in perModel[model])
            {
                canonical.TryAdd(qid, item);
            }
        }

        var outcomes = canonical.Keys.ToDictionary(q => q, _ => new Dictionary<string, RecordedOutcome>(StringComparer.Ordinal));
        foreach (var (model, items) in perModel)
        {
            foreach (var (qid, item) in items.OrderBy(i => i.Key))
            {
                var c = canonical[qid];
                if (item.Wording != c.Wording)
                {
                    continue;
                }

                var correct = item.Pred is not null && item.Pred == c.Answer;
                outcomes[qid][model] = ImportRules.Outcome(correct ? 1 : 0, item.Output);
            }
        }

        return ImportRules.Finish(canonical.Select(pair =>
        {
            var id = $"mmlu-pro-{pair.Key}";
            return new RoutingRecord
            {
                Id = id, Benchmark = Benchmark, Task = pair.Value.Category, Split = ImportRules.SplitOf(Benchmark, id),
                Prompt = Prompt(pair.Value), Reference = pair.Value.Answer, Outcomes = outcomes[pair.Key],
            };
        }));
    }

    public static string ModelName(string zipName) =>
        ArchiveName().Replace(zipName, "").Replace("Llama-3_1", "Llama-3.1", StringComparison.Ordinal);

    /// <summary>The zero-shot rendering of MMLU-Pro's chain-of-thought prompt that the shared data uses.</summary>
    public static string Prompt(Item item) =>
        $"The following is a multiple choice question about {item.Category}. Think step by step and then finish your answer " +
        $"with \"the answer is (X)\" where X is the correct letter choice.\n\nQuestion: {item.Question}\nOptions:\n" +
        string.Join("\n", item.Options.Select((o, i) => $"{Letters[i]}. {o}"));

    [GeneratedRegex(@"^model_outputs_|_\d+shots(\.json)?\.zip$")]
    private static partial Regex ArchiveName();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    public sealed record Item(int QuestionId, string Category, string Question, IReadOnlyList<string> Options, string? Answer, string? Pred, string Output)
    {
        /// <summary>Question and options without whitespace: what decides "the same question".</summary>
        public string Wording => Whitespace().Replace(Question, "") + "\u0001" + string.Join("\u0001", Options.Select(o => Whitespace().Replace(o, "")));

        public static Item From(JsonElement e)
        {
            string? Str(string name) => e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null
                ? (v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText())
                : null;
            var options = e.TryGetProperty("options", out var o) ? Options_(o) : [];
            var output = Str("model_outputs") is { Length: > 0 } mo ? mo : Str("generated_text") ?? "";
            var id = e.GetProperty("question_id");
            return new Item(id.ValueKind == JsonValueKind.String ? int.Parse(id.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : id.GetInt32(),
                Str("category") ?? "", Str("question") ?? "", options, Str("answer"), Str("pred"), output);
        }

        private static string[] Options_(JsonElement o)
        {
            if (o.ValueKind == JsonValueKind.Array)
            {
                return o.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString() ?? "" : x.GetRawText()).ToArray();
            }

            // Some archives store the list as a Python literal string; JSON-compatible ones parse, others stay whole.
            var text = o.ValueKind == JsonValueKind.String ? o.GetString() ?? "" : "";
            try
            {
                return JsonSerializer.Deserialize(text, EvaluationJson.Default.StringArray) ?? [];
            }
            catch (JsonException)
            {
                return text.Length == 0 ? [] : [text];
            }
        }
    }
}
