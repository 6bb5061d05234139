using System.Text.Json;
using ExpertRouter.Cli.Commands;
using ExpertRouter.Cli.Tests.Commands;
using ExpertRouter.Core.Experts;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Evaluation.Importers;
using ExpertRouter.Irt.Serving;

namespace ExpertRouter.Cli.Tests.Learning;

/// <summary>train, add-expert and eval reading the gateway's log (log:DIR).</summary>
public sealed class LogSourceTests : IDisposable
{
    private readonly GatewayLogFixture _log = new();

    [Fact]
    public void Parse_SplitSuffix_IsTheSplitAndRedisPortsAreNot()
    {
        var file = LogSource.Parse("log:/var/log/er:train+dev");
        var redis = LogSource.Parse("log:redis://localhost:6379");

        Assert.Equal(("/var/log/er", "train,dev"), (file.Location, string.Join(',', file.Splits)));
        Assert.Equal(("redis://localhost:6379", ""), (redis.Location, string.Join(',', redis.Splits)));
        Assert.True(LogSource.Parse("log:redis://r:6379:test").IsRedis);
    }

    [Fact]
    public async Task Train_FromTheLog_WritesAVersionedRouterThatRoutesByTopic()
    {
        var output = Path.Combine(_log.Root, "learned");

        var exit = await CliFixture.RunAsync("train", "--train", _log.Source(), "--pool", string.Join(',', GatewayLogFixture.Experts),
            "--out", output, "--data-dir", _log.Root, "--members", "1", "--epochs", "10", "--buckets", "512", "--exploration-weight", "2");

        Assert.Equal(0, exit);
        var manifest = RouterManifest.Load(output);
        Assert.StartsWith("model-", manifest.Version);
        Assert.Contains("exploration weight 2", Assert.Single(manifest.Training!.Files));
        using var router = IrtSkillRouter.Load(output, new OnnxServingOptions(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var math = await router.PredictAsync(GatewayLogFixture.Prompt(1000));
        var code = await router.PredictAsync(GatewayLogFixture.Prompt(1001));
        Assert.True(math[1] > math[2], $"math: cheap-math {math[1]:F2}, cheap-code {math[2]:F2}");
        Assert.True(code[2] > code[1], $"code: cheap-code {code[2]:F2}, cheap-math {code[1]:F2}");
    }

    [Fact]
    public async Task Train_LogAndRecordedDataOnTheSamePrompts_CountEachPromptOnce()
    {
        // What a platform's recorded data holds for its traffic: dear's and cheap-math's outcomes on every prompt, and
        // nothing of cheap-code, which only the log's explorations scored (one request in four).
        var recorded = Path.Combine(_log.Root, "recorded.jsonl");
        File.WriteAllLines(recorded, Enumerable.Range(0, 200).Select(i => JsonSerializer.Serialize(new
        {
            id = $"rec-{i:D4}", benchmark = "acme", task = "acme", split = "train", prompt = GatewayLogFixture.Prompt(i),
            outcomes = new Dictionary<string, object>
            {
                ["dear"] = new { score = GatewayLogFixture.Score("dear", i), output_tokens_est = 100 },
                ["cheap-math"] = new { score = GatewayLogFixture.Score("cheap-math", i), output_tokens_est = 100 },
            },
        })));
        var output = Path.Combine(_log.Root, "joined");

        var exit = await CliFixture.RunAsync("train", "--train", _log.Source() + "," + recorded + ":train", "--pool", string.Join(',', GatewayLogFixture.Experts),
            "--out", output, "--data-dir", _log.Root, "--members", "1", "--epochs", "10", "--buckets", "512");

        Assert.Equal(0, exit);
        // One record a prompt: dear's and cheap-math's recorded outcomes, and cheap-code's 50 explored ones. Concatenated,
        // the log's 200 prompts would count again, with 300 outcomes (cheap-math's feedback, the explorations' dear too).
        var manifest = RouterManifest.Load(output);
        var training = manifest.Training!;
        Assert.Equal(200, training.Prompts + training.CalibrationPrompts);
        Assert.InRange(training.Outcomes - (2 * training.Prompts), 1, 50);
        var labels = manifest.Experts.ToDictionary(e => e.Id, e => e.Labels);
        Assert.Equal(new Dictionary<string, int?> { ["dear"] = 200, ["cheap-math"] = 200, ["cheap-code"] = 50 }, labels);
        using var router = IrtSkillRouter.Load(output, new OnnxServingOptions(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var code = await router.PredictAsync(GatewayLogFixture.Prompt(1001));
        Assert.True(code[2] > code[1], $"code: cheap-code {code[2]:F2}, cheap-math {code[1]:F2}");
    }

    [Fact]
    public async Task Train_FromALogTooThinForThePool_RefusesWithoutWritingAFolder()
    {
        using var thin = new GatewayLogFixture(requests: 30, exploreEvery: 10);
        var output = Path.Combine(thin.Root, "learned");

        var exit = await CliFixture.RunAsync("train", "--train", thin.Source(), "--pool", string.Join(',', GatewayLogFixture.Experts),
            "--out", output, "--data-dir", thin.Root, "--members", "1");

        Assert.Equal(2, exit);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Problems_NameEveryExpertWithTooFewLabels()
    {
        var experts = GatewayLogFixture.Experts.Select(e => new ExpertDefinition { Id = e }).ToArray();
        var (records, _) = LearningLogImporter.Training(Read(new GatewayLogFixture(requests: 30, exploreEvery: 10)), LogWeights.Default);

        var problems = LabelledData.Problems(records, experts);

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("dear has 4 labelled prompts", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("cheap-code has 4 labelled prompts", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Eval_LogTestSplit_IsAnOffPolicyEstimate()
    {
        var results = Path.Combine(_log.Root, "eval");

        var exit = await CliFixture.RunAsync("eval", "--train", _log.Source("train"), "--test", _log.Source("test"),
            "--pool", string.Join(',', GatewayLogFixture.Experts), "--routers", "best-single,task-label", "--sweep", "5",
            "--data-dir", _log.Root, "--out", results);

        Assert.Equal(0, exit);
        var report = File.ReadAllText(Path.Combine(results, "report.md"));
        Assert.Contains("Off-policy estimates, not replays", report, StringComparison.Ordinal);
        Assert.Contains("AIQ (est.)", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EvalCv_OnALog_IsRefused()
    {
        var exit = await CliFixture.RunAsync("eval", "--cv", "3", "--train", _log.Source(), "--pool", string.Join(',', GatewayLogFixture.Experts),
            "--routers", "best-single", "--data-dir", _log.Root, "--out", Path.Combine(_log.Root, "cv"));

        Assert.Equal(2, exit);
    }

    [Fact]
    public async Task AddExpert_LabelsFromTheLog_AddsTheExploredExpert()
    {
        var output = Path.Combine(_log.Root, "two");
        var trained = await CliFixture.RunAsync("train", "--train", _log.Source(), "--pool", "dear,cheap-math",
            "--out", output, "--data-dir", _log.Root, "--members", "1", "--epochs", "6", "--buckets", "512");
        var before = RouterManifest.Load(output).Version;

        var added = await CliFixture.RunAsync("add-expert", "--router", output, "--expert", "cheap-code", "--labels", _log.Source(),
            "--data-dir", _log.Root, "--max-labels", "40");

        Assert.Equal((0, 0), (trained, added));
        var manifest = RouterManifest.Load(output);
        Assert.Equal(GatewayLogFixture.Experts, manifest.Experts.Select(e => e.Id));
        Assert.Equal(40, manifest.Experts[2].ColdStartLabels);
        Assert.NotEqual(before, manifest.Version);
    }

    public void Dispose() => _log.Dispose();

    private static LearningLog Read(GatewayLogFixture fixture)
    {
        using (fixture)
        {
            return LearningLog.ReadDirectory(fixture.LogDirectory);
        }
    }
}
