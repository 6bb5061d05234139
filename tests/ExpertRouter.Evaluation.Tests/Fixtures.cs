using System.IO.Compression;
using System.Text.Json;
using ExpertRouter.Core.Experts;
using ExpertRouter.Evaluation.Data;

namespace ExpertRouter.Evaluation.Tests;

/// <summary>
/// Tiny generated routing data: two tasks ("math", "code") whose prompts use different words, three experts.
/// "big" is right on everything and dear; "mathy" is cheap and right on math only; "tiny" is cheapest and right on
/// a third of the prompts; "mathy" never answered prompt 5.
/// </summary>
internal static class Fixtures
{
    public static IReadOnlyList<ExpertDefinition> Experts { get; } =
    [
        new() { Id = "big", InputUsdPerMTok = 10, OutputUsdPerMTok = 30, ExpectedOutputTokens = 100 },
        new() { Id = "mathy", InputUsdPerMTok = 1, OutputUsdPerMTok = 2, ExpectedOutputTokens = 100 },
        new() { Id = "tiny", InputUsdPerMTok = 0.1, OutputUsdPerMTok = 0.2, ExpectedOutputTokens = 100 },
    ];

    public static IReadOnlyList<RoutingRecord> Records(int count, string split = "train", int offset = 0) =>
        Enumerable.Range(offset, count).Select(i => Record(i, split)).ToArray();

    public static RoutingRecord Record(int i, string split)
    {
        var math = i % 2 == 0;
        var prompt = math
            ? $"Compute the sum of {i} and {i + 3}; add numbers, integer arithmetic, equation solving."
            : $"Predict the output of this python function f{i}: def f(x): return x[::-1] string list code.";
        var outcomes = new Dictionary<string, RecordedOutcome>
        {
            ["big"] = new() { Score = 1, OutputTokensEst = 120, Response = "ok" },
            ["tiny"] = new() { Score = i % 3 == 0 ? 1 : 0, OutputTokensEst = 80, Response = "meh" },
        };
        if (i != 5)
        {
            outcomes["mathy"] = new() { Score = math ? 1 : 0, OutputTokensEst = 100, Response = "hm" };
        }

        return new RoutingRecord
        {
            Id = $"p{i}", Benchmark = "fixture", Task = math ? "math" : "code", Split = split, Prompt = prompt,
            Outcomes = outcomes,
        };
    }

    public static string WriteGzipJsonl(string directory, string name, IEnumerable<RoutingRecord> records, bool stripOutcomes = false)
    {
        var path = Path.Combine(directory, name);
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var writer = new StreamWriter(gzip);
        foreach (var record in records)
        {
            var written = stripOutcomes ? record with { Outcomes = new Dictionary<string, RecordedOutcome>() } : record;
            writer.WriteLine(JsonSerializer.Serialize(written));
        }

        return path;
    }

    public static string WritePrices(string directory)
    {
        var path = Path.Combine(directory, "models.json");
        var prices = Experts.ToDictionary(e => e.Id, e => new { input_usd_per_mtok = e.InputUsdPerMTok, output_usd_per_mtok = e.OutputUsdPerMTok });
        File.WriteAllText(path, JsonSerializer.Serialize(prices));
        return path;
    }

    public static string TempDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "er-eval-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
