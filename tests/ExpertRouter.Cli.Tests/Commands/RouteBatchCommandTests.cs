using System.Text.Json;

namespace ExpertRouter.Cli.Tests.Commands;

public sealed class RouteBatchCommandTests : IDisposable
{
    private readonly CliFixture _fixture = new();

    [Fact]
    public async Task RouteBatch_WritesOneLinePerSettingAndPromptCheapestFirst()
    {
        var output = _fixture.Path_("decisions.jsonl");

        var exit = await RouteBatch("knn", "fx-test.jsonl.gz", output, sweep: 5);

        Assert.Equal(0, exit);
        var lines = ReadDecisions(output);
        Assert.Equal(5 * 8, lines.Count);
        Assert.Equal(Enumerable.Range(0, 5).SelectMany(s => Enumerable.Repeat(s, 8)), lines.Select(l => l.Setting));
        Assert.Equal(Enumerable.Range(100, 8).Select(i => $"q{i}"), lines.Take(8).Select(l => l.Id));
        // Setting 0 is cost only: every prompt goes to the cheapest expert.
        Assert.All(lines.Take(8), l => Assert.Equal("tiny", l.Expert));
    }

    [Fact]
    public async Task RouteBatch_NonOracleRoutersNeverReadTestOutcomes()
    {
        Assert.Equal(
            await DecisionLines("logreg", "fx-test.jsonl.gz", "a.jsonl", sweep: 7),
            await DecisionLines("logreg", "fx-test-stripped.jsonl.gz", "b.jsonl", sweep: 7));
    }

    [Fact]
    public async Task RouteBatch_OracleAtHighestQualityPicksCheapestCorrectExpert()
    {
        var output = _fixture.Path_("oracle.jsonl");

        Assert.Equal(0, await RouteBatch("oracle", "fx-test.jsonl.gz", output, sweep: 3));

        var last = ReadDecisions(output).Where(l => l.Setting == 2).ToDictionary(l => l.Id, l => l.Expert);
        Assert.Equal("mathy", last["q100"]);  // math: big and mathy right, tiny wrong on 100 % 3 != 0
        Assert.Equal("tiny", last["q102"]);   // 102 % 3 == 0: tiny right and cheapest
        Assert.Equal("big", last["q101"]);    // code: only big right
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("all")]
    [InlineData("knn,logreg")]
    [InlineData("knn,nope")]
    [InlineData("knn+nope")]
    [InlineData("oracle+knn")]
    public async Task RouteBatch_UnknownRouterFailsWithExitCode2(string router)
    {
        Assert.Equal(2, await RouteBatch(router, "fx-test.jsonl.gz", _fixture.Path_("x.jsonl"), sweep: 3));
    }

    [Fact]
    public async Task RouteBatch_BlendOfOneRouterWithItselfDecidesLikeThatRouter()
    {
        Assert.Equal(
            await DecisionLines("knn", "fx-test.jsonl.gz", "alone.jsonl", sweep: 5),
            await DecisionLines("knn:1+knn:3", "fx-test.jsonl.gz", "blend.jsonl", sweep: 5));
    }

    public void Dispose() => _fixture.Dispose();

    private Task<int> RouteBatch(string router, string test, string output, int sweep) =>
        CliFixture.RunAsync(
            "route-batch", "--train", "fx:train", "--test", test, "--pool", "big,mathy,tiny", "--router", router,
            "--sweep", sweep.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", output,
            "--data-dir", _fixture.Root);

    /// <summary>Runs route-batch into <paramref name="file"/> (it must succeed) and returns the decision lines.</summary>
    private async Task<string[]> DecisionLines(string router, string test, string file, int sweep)
    {
        var output = _fixture.Path_(file);
        Assert.Equal(0, await RouteBatch(router, test, output, sweep));
        return File.ReadAllLines(output);
    }

    private static List<Decision> ReadDecisions(string path) =>
        File.ReadAllLines(path).Select(l => JsonSerializer.Deserialize<Decision>(l)!).ToList();

    private sealed record Decision(
        [property: System.Text.Json.Serialization.JsonPropertyName("setting")] int Setting,
        [property: System.Text.Json.Serialization.JsonPropertyName("id")] string Id,
        [property: System.Text.Json.Serialization.JsonPropertyName("expert")] string Expert);
}

public sealed class ImportCommandTests : IDisposable
{
    private readonly CliFixture _fixture = new();

    [Fact]
    public async Task Import_FeedbackLogBecomesReadableRoutingData()
    {
        var log = _fixture.Path_("log.jsonl");
        File.WriteAllLines(log,
        [
            """{"ts":"2026-11-23T10:00:00Z","request_id":"r1","tenant":"acme","prompt":"hello","expert":"big","router":"knn","cost_usd":0.001,"latency_ms":120,"score":1}""",
            """{"ts":"2026-11-23T10:00:01Z","request_id":"r2","tenant":"acme","prompt":"hello","expert":"tiny","router":"knn","cost_usd":0.0001,"latency_ms":80}""",
        ]);
        var output = _fixture.Path_("fb.jsonl.gz");

        var exit = await CliFixture.RunAsync("import", "--format", "feedback", "--input", log, "--out", output);

        Assert.Equal(0, exit);
        var record = Assert.Single(ExpertRouter.Evaluation.Data.RoutingDatasetReader.Read(output));
        Assert.Equal(["big"], record.Outcomes.Keys);
    }

    public void Dispose() => _fixture.Dispose();
}
