using System.Text.Json;
using ExpertRouter.Core.Feedback;

namespace ExpertRouter.Cli.Tests.Learning;

/// <summary>
/// A generated gateway log and its data directory: math prompts are solved by "dear" and "cheap-math", code prompts by
/// "dear" and "cheap-code". Every request was served by cheap-math and scored by its user; one in <c>exploreEvery</c> was explored
/// with both other experts (selection probability 1), a math and a code prompt in turn. Prices in models.json.
/// </summary>
internal sealed class GatewayLogFixture : IDisposable
{
    public static readonly string[] Experts = ["dear", "cheap-math", "cheap-code"];

    public GatewayLogFixture(int requests = 200, int exploreEvery = 4)
    {
        Directory.CreateDirectory(LogDirectory);
        var requestLines = new List<string>();
        var explorationLines = new List<string>();
        for (var i = 0; i < requests; i++)
        {
            var id = $"req_{i:D4}";
            var prompt = Prompt(i);
            requestLines.Add(JsonSerializer.Serialize(new RequestLogRecord
            {
                Kind = RequestLogRecord.RequestKind, RequestId = id, Tenant = "acme", Prompt = prompt, Expert = "cheap-math",
                OutputTokens = 100, Status = 200, Endpoint = "chat", Router = "start",
            }, RequestLogJson.Default.RequestLogRecord));
            requestLines.Add(JsonSerializer.Serialize(new RequestLogRecord
            {
                Kind = RequestLogRecord.FeedbackKind, RequestId = id, Tenant = "acme", Score = Score("cheap-math", i),
            }, RequestLogJson.Default.RequestLogRecord));
            if (i % (2 * exploreEvery) is 0 or 1)
            {
                explorationLines.Add(JsonSerializer.Serialize(new ExplorationRecord
                {
                    Id = "ex-" + id, Task = "acme", Tenant = "acme", RequestId = id, Prompt = prompt, Served = "cheap-math",
                    SamplingProbability = 1.0 / exploreEvery, SelectionProbability = 1,
                    Outcomes = Experts.ToDictionary(e => e, e => new ExplorationOutcome { Score = Score(e, i), OutputTokensEst = 100 }),
                }, RequestLogJson.Default.ExplorationRecord));
            }
        }

        File.WriteAllLines(Path.Combine(LogDirectory, "requests-20261206T000000Z-test-0001.jsonl"), requestLines);
        File.WriteAllLines(Path.Combine(LogDirectory, "exploration-20261206T000000Z-test-0001.jsonl"), explorationLines);
        File.WriteAllText(Path.Combine(Root, "models.json"), JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["dear"] = new { input_usd_per_mtok = 10.0, output_usd_per_mtok = 30.0 },
            ["cheap-math"] = new { input_usd_per_mtok = 0.1, output_usd_per_mtok = 0.2 },
            ["cheap-code"] = new { input_usd_per_mtok = 0.1, output_usd_per_mtok = 0.3 },
        }));
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "er-cli-log-" + Guid.NewGuid().ToString("N"));

    public string LogDirectory => Path.Combine(Root, "log");

    public string Source(string? split = null) => "log:" + LogDirectory + (split is null ? "" : ":" + split);

    public static bool IsMath(int i) => i % 2 == 0;

    public static string Prompt(int i) => IsMath(i)
        ? $"Solve the equation {i} x + 3 = 7 for the integer x."
        : $"What does this python function return: def f{i}(s): return s[::-1]";

    public static double Score(string expert, int i) => expert switch
    {
        "dear" => 1,
        "cheap-math" => IsMath(i) ? 1 : 0,
        _ => IsMath(i) ? 0 : 1,
    };

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
