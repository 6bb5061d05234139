using System.CommandLine;
using System.IO.Compression;
using System.Text.Json;
using ExpertRouter.Cli.Commands;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Irt.Serving;

namespace ExpertRouter.Cli.Tests.Commands;

public sealed class IrtCommandsTests
{
    private static readonly string[] Experts = ["dear", "cheap-math", "cheap-code"];

    /// <summary>Math prompts are solved by "dear" and "cheap-math"; code prompts by "dear" and "cheap-code".</summary>
    private static string WriteData()
    {
        var directory = Path.Combine(Path.GetTempPath(), "er-cli-irt-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        using (var gzip = new GZipStream(File.Create(Path.Combine(directory, "fixture.jsonl.gz")), CompressionLevel.Fastest))
        using (var writer = new StreamWriter(gzip))
        {
            for (var i = 0; i < 240; i++)
            {
                var math = i % 2 == 0;
                var record = new RoutingRecord
                {
                    Id = $"q{i}",
                    Benchmark = "fixture",
                    Task = math ? "math" : "code",
                    Split = i % 10 == 9 ? "dev" : "train",
                    Prompt = math ? $"Solve the equation {i} x + 3 = 7 for the integer x." : $"What does this python function return: def f{i}(s): return s[::-1]",
                    Outcomes = new Dictionary<string, RecordedOutcome>
                    {
                        ["dear"] = new() { Score = 1, OutputTokensEst = 100 },
                        ["cheap-math"] = new() { Score = math ? 1 : 0, OutputTokensEst = 100 },
                        ["cheap-code"] = new() { Score = math ? 0 : 1, OutputTokensEst = 100 },
                    },
                };
                writer.WriteLine(JsonSerializer.Serialize(record));
            }
        }

        var prices = new Dictionary<string, object>
        {
            ["dear"] = new { input_usd_per_mtok = 10.0, output_usd_per_mtok = 30.0 },
            ["cheap-math"] = new { input_usd_per_mtok = 0.1, output_usd_per_mtok = 0.2 },
            ["cheap-code"] = new { input_usd_per_mtok = 0.1, output_usd_per_mtok = 0.3 },
        };
        File.WriteAllText(Path.Combine(directory, "models.json"), JsonSerializer.Serialize(prices));
        return directory;
    }

    private static Task<int> Run(params string[] args)
    {
        var root = new RootCommand();
        foreach (var command in CommandCatalog.All())
        {
            root.Subcommands.Add(command);
        }

        return root.Parse(args).InvokeAsync();
    }

    [Fact]
    public async Task TrainThenAddExpert_WritesAServableRouterFolderWithTheNewExpert()
    {
        var data = WriteData();
        var output = Path.Combine(data, "router");

        var trained = await Run("train", "--router", "irt", "--train", "fixture:train", "--dev", "fixture:dev", "--pool", "dear,cheap-math",
            "--out", output, "--data-dir", data, "--members", "1", "--epochs", "10", "--buckets", "512");
        var added = await Run("add-expert", "--router", output, "--expert", "cheap-code", "--labels", "fixture:train", "--data-dir", data,
            "--max-labels", "40", "--calibrate", "fixture:train");

        Assert.Equal(0, trained);
        Assert.Equal(0, added);
        var manifest = RouterManifest.Load(output);
        Assert.Equal(Experts, manifest.Experts.Select(e => e.Id));
        Assert.Equal(40, manifest.Experts[2].ColdStartLabels);
        // What each expert was learned from: the 216 training prompts for the trained two, the 40 labels for the added one.
        Assert.Equal([216, 216, 40], manifest.Experts.Select(e => e.Labels));
        Assert.NotNull(manifest.Calibration);
        await using var router = IrtSkillRouter.Load(output, new OnnxServingOptions(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var code = await router.PredictAsync("What does this python function return: def g(s): return s[::-1]");
        Assert.True(code[2] > code[1], $"cheap-code {code[2]} should beat cheap-math {code[1]} on code");
    }

    [Fact]
    public async Task Train_From_ContinuesTheRouterWithItsEncoder_AddsTheNewExpert_AndRecordsTheWarmStart()
    {
        var data = WriteData();
        var start = Path.Combine(data, "start");
        var continued = Path.Combine(data, "continued");
        Assert.Equal(0, await Run("train", "--train", "fixture:train", "--pool", "dear,cheap-math", "--out", start, "--data-dir", data,
            "--members", "2", "--epochs", "10", "--buckets", "512", "--char-ngrams", "4", "--version", "start-1"));

        var exit = await Run("train", "--train", "fixture:train", "--pool", "dear,cheap-math,cheap-code", "--out", continued, "--data-dir", data,
            "--members", "2", "--epochs", "10", "--from", start);

        Assert.Equal(0, exit);
        var manifest = RouterManifest.Load(continued);
        Assert.Equal(Experts, manifest.Experts.Select(e => e.Id));
        Assert.Equal((512, 4, 4), (manifest.Encoder.HashedNgrams!.Buckets, manifest.Encoder.HashedNgrams.CharNgramMin, manifest.Encoder.HashedNgrams.CharNgramMax));
        var warm = manifest.Training!.WarmStart!;
        Assert.Contains("version start-1", warm.From, StringComparison.Ordinal);
        Assert.Equal(4, warm.CrossValidatedLogLoss!.Count);
        // Continued on the same 216 prompts: the known two count the start's 216 and these; the new expert these alone.
        Assert.Equal([432, 432, 216], manifest.Experts.Select(e => e.Labels));
        await using var router = IrtSkillRouter.Load(continued, new OnnxServingOptions(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var code = await router.PredictAsync("What does this python function return: def g(s): return s[::-1]");
        Assert.True(code[2] > code[1], $"cheap-code {code[2]} should beat cheap-math {code[1]} on code");
    }

    [Theory]
    [InlineData("--encoder", "hashed")]
    [InlineData("--buckets", "1024")]
    [InlineData("--char-ngrams", "3-5")]
    [InlineData("--anchor", "-1")]
    [InlineData("--anchor", "strong")]
    public async Task Train_From_WithAnEncoderSettingOrABadAnchor_IsRefused(string option, string value)
    {
        var data = WriteData();
        var start = Path.Combine(data, "start");
        Assert.Equal(0, await Run("train", "--train", "fixture:train", "--pool", "dear,cheap-math", "--out", start, "--data-dir", data,
            "--members", "1", "--epochs", "2", "--buckets", "512"));

        var exit = await Run("train", "--train", "fixture:train", "--pool", "dear,cheap-math", "--out", Path.Combine(data, "continued"),
            "--data-dir", data, "--from", start, option, value);

        Assert.Equal(2, exit);
        Assert.False(Directory.Exists(Path.Combine(data, "continued")));
    }

    [Theory]
    [InlineData("5-3")]
    [InlineData("0")]
    [InlineData("four")]
    public async Task Train_WithAMalformedCharNgramRange_IsRefused(string range)
    {
        var data = WriteData();

        var exit = await Run("train", "--train", "fixture:train", "--pool", "dear", "--out", Path.Combine(data, "router"), "--data-dir", data,
            "--members", "1", "--epochs", "1", "--buckets", "512", "--char-ngrams", range);

        Assert.Equal(2, exit);
        Assert.False(Directory.Exists(Path.Combine(data, "router")));
    }

    [Fact]
    public async Task Train_From_AFolderWithNoRouter_FailsWithExitCode2()
    {
        var data = WriteData();

        var exit = await Run("train", "--train", "fixture:train", "--pool", "dear", "--out", Path.Combine(data, "continued"), "--data-dir", data,
            "--from", Path.Combine(data, "no-such-router"));

        Assert.Equal(2, exit);
        Assert.False(Directory.Exists(Path.Combine(data, "continued")));
    }

    [Fact]
    public async Task Train_WithAnUnknownRouterKind_FailsWithExitCode2()
    {
        var data = WriteData();

        var exit = await Run("train", "--router", "knn", "--train", "fixture:train", "--pool", "dear", "--out", Path.Combine(data, "r"), "--data-dir", data);

        Assert.Equal(2, exit);
        Assert.False(Directory.Exists(Path.Combine(data, "r")));
    }

    [Fact]
    public async Task Train_IntoAnExistingRouterFolder_IsRefusedAndLeavesItAlone()
    {
        var data = WriteData();
        var output = Path.Combine(data, "shipped");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "router.json"), "{\"shipped\": true}");

        var exit = await Run("train", "--router", "irt", "--train", "fixture:train", "--pool", "dear,cheap-math",
            "--out", output, "--data-dir", data, "--members", "1", "--epochs", "1", "--buckets", "512");

        Assert.Equal(2, exit);
        Assert.Equal("{\"shipped\": true}", File.ReadAllText(Path.Combine(output, "router.json")));
        Assert.False(File.Exists(Path.Combine(output, "model.onnx")));
    }

    [Fact]
    public async Task Train_IntoAnExistingRouterFolderWithForce_OverwritesIt()
    {
        var data = WriteData();
        var output = Path.Combine(data, "shipped");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "router.json"), "{\"shipped\": true}");

        var exit = await Run("train", "--router", "irt", "--train", "fixture:train", "--pool", "dear,cheap-math",
            "--out", output, "--data-dir", data, "--members", "1", "--epochs", "1", "--buckets", "512", "--force");

        Assert.Equal(0, exit);
        Assert.Equal(["dear", "cheap-math"], RouterManifest.Load(output).Experts.Select(e => e.Id));
    }

    [Fact]
    public async Task Train_WithItemsFromAllModels_KeepsOnlyThePoolAndNamesTheEncoder()
    {
        var data = WriteData();
        var output = Path.Combine(data, "all-items");

        var exit = await Run("train", "--router", "irt", "--train", "fixture:train", "--pool", "dear,cheap-math", "--items", "all",
            "--encoder", "hashed", "--out", output, "--data-dir", data, "--members", "1", "--epochs", "2", "--buckets", "512");

        Assert.Equal(0, exit);
        var manifest = RouterManifest.Load(output);
        Assert.Equal(["dear", "cheap-math"], manifest.Experts.Select(e => e.Id));
        Assert.Equal(EncoderSpec.Hashed, manifest.Encoder.Kind);
        Assert.Equal(3 * manifest.Training!.Prompts, manifest.Training.Outcomes);
    }

    [Fact]
    public async Task Train_WithAnUnknownEncoder_FailsWithExitCode2()
    {
        var data = WriteData();

        var exit = await Run("train", "--router", "irt", "--train", "fixture:train", "--pool", "dear", "--encoder", "hashed+word2vec",
            "--out", Path.Combine(data, "r"), "--data-dir", data);

        Assert.Equal(2, exit);
    }
}
