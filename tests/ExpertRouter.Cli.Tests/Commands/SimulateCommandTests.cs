using ExpertRouter.Cli.Commands;

namespace ExpertRouter.Cli.Tests.Commands;

public sealed class SimulateCommandTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("er-sim-cli-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void SplitUrls_CommaSemicolonAndRepeated_AllKept()
    {
        var urls = SimulateCommand.SplitUrls(["http://127.0.0.1:9001, http://127.0.0.1:9002", "http://127.0.0.1:9003;"]);

        Assert.Equal(["http://127.0.0.1:9001", "http://127.0.0.1:9002", "http://127.0.0.1:9003"], urls);
    }

    [Fact]
    public void BuildOptions_FlagsOverrideConfigFile()
    {
        var config = Path.Combine(directory, "sim.json");
        File.WriteAllText(config, """
            {"Simulator": {"TimeToFirstTokenMs": 100, "PerTokenDelayMs": 7, "Seed": 5,
              "Faults": [{"Model": "gpt-4o", "Kind": "status", "StatusCode": 503}]}}
            """);

        var options = SimulateCommand.BuildOptions(config, ttftMs: 20, perTokenMs: null, replayPath: null);

        Assert.Equal(20, options.TimeToFirstTokenMs);
        Assert.Equal(7, options.PerTokenDelayMs);
        Assert.Equal(5, options.Seed);
        Assert.Equal(503, Assert.Single(options.Faults).StatusCode);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void BuildOptions_NoConfig_UsesDefaultsAndFlags()
    {
        var options = SimulateCommand.BuildOptions(null, ttftMs: null, perTokenMs: 3, replayPath: "missing.jsonl.gz");

        Assert.Equal(0, options.TimeToFirstTokenMs);
        Assert.Equal(3, options.PerTokenDelayMs);
        Assert.Contains(options.Validate(), problem => problem.Contains("missing.jsonl.gz", StringComparison.Ordinal));
    }
}
