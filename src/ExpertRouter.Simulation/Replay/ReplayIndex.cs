using System.Collections.Frozen;
using System.IO.Compression;
using System.Text.Json;

namespace ExpertRouter.Simulation;

/// <summary>
/// Recorded responses by prompt text and model. A request matches when its last user message equals a record's
/// <c>prompt</c> exactly; the first record with a given prompt wins.
/// </summary>
internal sealed class ReplayIndex
{
    public static readonly ReplayIndex Empty = new(FrozenDictionary<string, FrozenDictionary<string, ReplayOutcome>>.Empty);

    private readonly FrozenDictionary<string, FrozenDictionary<string, ReplayOutcome>> byPrompt;

    private ReplayIndex(FrozenDictionary<string, FrozenDictionary<string, ReplayOutcome>> byPrompt)
    {
        this.byPrompt = byPrompt;
        Models = byPrompt.Values.SelectMany(outcomes => outcomes.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
    }

    public int Count => byPrompt.Count;

    /// <summary>Every model that has at least one recorded response.</summary>
    public IReadOnlyList<string> Models { get; }

    public static ReplayIndex Load(string path)
    {
        using var file = File.OpenRead(path);
        using Stream text = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(text);
        var prompts = new Dictionary<string, FrozenDictionary<string, ReplayOutcome>>(StringComparer.Ordinal);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            ReplayLine? record;
            try
            {
                record = JsonSerializer.Deserialize(line, SimulatorJsonContext.Default.ReplayLine);
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: not a routing record ({ex.Message})", ex);
            }

            if (record?.Prompt is { } prompt && record.Outcomes is { } outcomes && !prompts.ContainsKey(prompt))
            {
                prompts[prompt] = outcomes.Where(pair => pair.Value?.Response is not null).ToFrozenDictionary(StringComparer.Ordinal);
            }
        }

        return new ReplayIndex(prompts.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>
    /// Reads a judge prompt in the gateway's form (<c>Request:\n{prompt}\n\n[Reference answer:\n{reference}\n\n]Answer to
    /// grade:\n{answer}\n\nScore (0 to 1):</c>) and finds the recorded score of the response the answer is: the same
    /// text, else the recorded response it begins (an answer cut by max_tokens keeps the whole response's score).
    /// </summary>
    public bool TryJudge(string judgePrompt, out double score)
    {
        score = 0;
        const string Request = "Request:\n";
        const string Answer = "\n\nAnswer to grade:\n";
        const string Reference = "\n\nReference answer:\n";
        const string Tail = "\n\nScore (0 to 1):";
        if (!judgePrompt.StartsWith(Request, StringComparison.Ordinal) || !judgePrompt.EndsWith(Tail, StringComparison.Ordinal))
        {
            return false;
        }

        // The prompt and the answer may hold the markers themselves: try every split until the prompt is a known one.
        var body = judgePrompt[Request.Length..^Tail.Length];
        for (var at = body.IndexOf(Answer, StringComparison.Ordinal); at >= 0; at = body.IndexOf(Answer, at + 1, StringComparison.Ordinal))
        {
            var question = body[..at];
            var answer = body[(at + Answer.Length)..];
            if (!byPrompt.TryGetValue(question, out var outcomes))
            {
                var reference = question.LastIndexOf(Reference, StringComparison.Ordinal);
                if (reference < 0 || !byPrompt.TryGetValue(question[..reference], out outcomes))
                {
                    continue;
                }
            }

            if (Score(outcomes, answer) is { } found)
            {
                score = found;
                return true;
            }
        }

        return false;
    }

    private static double? Score(FrozenDictionary<string, ReplayOutcome> outcomes, string answer)
    {
        foreach (var outcome in outcomes.Values)
        {
            if (outcome.Score is { } exact && outcome.Response == answer)
            {
                return exact;
            }
        }

        if (answer.Length == 0)
        {
            return null;
        }

        foreach (var outcome in outcomes.Values)
        {
            if (outcome.Score is { } cut && outcome.Response!.StartsWith(answer, StringComparison.Ordinal))
            {
                return cut;
            }
        }

        return null;
    }

    public bool TryFind(string prompt, string model, out ReplayOutcome outcome)
    {
        outcome = null!;
        return byPrompt.TryGetValue(prompt, out var outcomes) && outcomes.TryGetValue(model, out outcome!);
    }
}
