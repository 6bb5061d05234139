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

    public bool TryFind(string prompt, string model, out ReplayOutcome outcome)
    {
        outcome = null!;
        return byPrompt.TryGetValue(prompt, out var outcomes) && outcomes.TryGetValue(model, out outcome!);
    }
}
