using Microsoft.Extensions.Configuration;

namespace ExpertRouter.Simulation.Tests.Configuration;

public sealed class SimulatorOptionsTests
{
    [Fact]
    public void Validate_Defaults_HasNoProblems()
    {
        Assert.Empty(new SimulatorOptions().Validate());
    }

    [Fact]
    public void Validate_ManyMistakes_ListsEveryProblem()
    {
        var options = new SimulatorOptions
        {
            TimeToFirstTokenMs = -1,
            PerTokenDelayMs = -2,
            EmbeddingDimensions = 0,
            ReplayDataset = "/no/such/file.jsonl.gz",
            Models = new Dictionary<string, SimulatedModelOptions> { ["m"] = new() { MinAnswerTokens = 10, MaxAnswerTokens = 5 } },
            Faults =
            [
                new FaultRule { Kind = "explode" },
                new FaultRule { Kind = "status", StatusCode = 42, Probability = 2, EveryNth = 0 },
            ],
        };

        var problems = options.Validate();

        Assert.Contains(problems, p => p.Contains("Simulator:TimeToFirstTokenMs", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Simulator:PerTokenDelayMs", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("EmbeddingDimensions", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("ReplayDataset", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Simulator:Models:m:MaxAnswerTokens", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Simulator:Faults:0:Kind 'explode'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Simulator:Faults:1:StatusCode", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Simulator:Faults:1:Probability", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Simulator:Faults:1:EveryNth", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("not both", StringComparison.Ordinal));
        Assert.Equal(10, problems.Count);
    }

    [Fact]
    public async Task StartAsync_InvalidOptions_ThrowsWithAllProblems()
    {
        var options = new SimulatorOptions { TimeToFirstTokenMs = -1, EmbeddingDimensions = -1 };

        var failure = await Assert.ThrowsAsync<SimulatorOptionsException>(() => SimulatedExpertServer.StartAsync(options));

        Assert.Equal(2, failure.Problems.Count);
    }

    [Fact]
    public void FromConfiguration_BindsSimulatorSection()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Simulator:TimeToFirstTokenMs"] = "150",
            ["Simulator:PerTokenDelayMs"] = "5",
            ["Simulator:Seed"] = "9",
            ["Simulator:EmbeddingDimensions"] = "32",
            ["Simulator:Models:gpt-4o:TimeToFirstTokenMs"] = "400",
            ["Simulator:Models:gpt-4o-mini:PerTokenDelayMs"] = "1",
            ["Simulator:Faults:0:Model"] = "gpt-4o",
            ["Simulator:Faults:0:Kind"] = "status",
            ["Simulator:Faults:0:StatusCode"] = "429",
            ["Simulator:Faults:0:RetryAfterSeconds"] = "2",
            ["Simulator:Faults:0:EveryNth"] = "4",
            ["Simulator:Faults:1:Kind"] = "midstream-cut",
            ["Simulator:Faults:1:AfterChunks"] = "5",
            ["Simulator:Faults:1:Probability"] = "0.1",
        }).Build();

        var options = SimulatorOptions.FromConfiguration(configuration);

        Assert.Empty(options.Validate());
        Assert.Equal(150, options.TimeToFirstTokenMs);
        Assert.Equal(5, options.PerTokenDelayMs);
        Assert.Equal(9, options.Seed);
        Assert.Equal(32, options.EmbeddingDimensions);
        Assert.Equal(400, options.Models["gpt-4o"].TimeToFirstTokenMs);
        Assert.Null(options.Models["gpt-4o"].PerTokenDelayMs);
        Assert.Equal(1, options.Models["gpt-4o-mini"].PerTokenDelayMs);
        Assert.Equal(new FaultRule { Model = "gpt-4o", Kind = "status", StatusCode = 429, RetryAfterSeconds = 2, EveryNth = 4 }, options.Faults[0]);
        Assert.Equal(new FaultRule { Kind = "midstream-cut", AfterChunks = 5, Probability = 0.1 }, options.Faults[1]);
    }
}
