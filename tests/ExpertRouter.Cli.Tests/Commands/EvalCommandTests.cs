namespace ExpertRouter.Cli.Tests.Commands;

public sealed class EvalCommandTests : IDisposable
{
    private readonly CliFixture _fixture = new();

    [Fact]
    public async Task Eval_WritesMarkdownHtmlPlotsAndPoints()
    {
        var results = _fixture.Path_("results");

        var exit = await CliFixture.RunAsync(
            "eval", "--train", "fx:train", "--test", "fx-test.jsonl.gz", "--pool", "big,mathy,tiny",
            "--routers", "oracle,best-single,task-label", "--sweep", "9", "--bootstrap", "20", "--ood-tasks", "2",
            "--data-dir", _fixture.Root, "--out", results);

        Assert.Equal(0, exit);
        foreach (var file in new[] { "report.md", "report.html", "quality-cost.svg", "quality-cost.png", "points.csv" })
        {
            Assert.True(new FileInfo(Path.Combine(results, file)).Length > 100, file);
        }

        var markdown = File.ReadAllText(Path.Combine(results, "report.md"));
        Assert.Contains("| oracle |", markdown);
        Assert.Contains("In-domain vs out-of-domain", markdown);
        Assert.Equal(1 + 3 * 9 + 3, File.ReadAllLines(Path.Combine(results, "points.csv")).Length);

        // routers.csv: one row a router, the AIQ at full precision, agreeing with the report's rounded figure.
        var rows = File.ReadAllLines(Path.Combine(results, "routers.csv"));
        Assert.Equal("router,aiq,cost_to_match_best,score_at_best_cost,apgr", rows[0]);
        Assert.Equal(["oracle", "best-single", "task-label"], rows.Skip(1).Select(r => r.Split(',')[0]));
        var oracle = double.Parse(rows[1].Split(',')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"| oracle | {oracle.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)} |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_ReportsABlendOfRoutersUnderTheNameAskedFor()
    {
        var results = _fixture.Path_("blend");

        var exit = await CliFixture.RunAsync(
            "eval", "--train", "fx:train", "--test", "fx-test.jsonl.gz", "--pool", "big,mathy,tiny",
            "--routers", "knn,knn:0.3+task-label:0.7", "--sweep", "9", "--bootstrap", "0",
            "--data-dir", _fixture.Root, "--out", results);

        Assert.Equal(0, exit);
        Assert.Contains("| knn:0.3+task-label:0.7 |", File.ReadAllText(Path.Combine(results, "report.md")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_RefusesTrainAndTestThatShareAPrompt()
    {
        var exit = await CliFixture.RunAsync(
            "eval", "--train", "fx", "--test", "fx", "--pool", "big,mathy,tiny", "--routers", "cheapest",
            "--data-dir", _fixture.Root, "--out", _fixture.Path_("r"));

        Assert.Equal(2, exit);
    }

    [Fact]
    public async Task Eval_WithCv_WritesTheMeanAndSpreadOverFoldsAndEveryFold()
    {
        var results = _fixture.Path_("cv");

        var exit = await CliFixture.RunAsync(
            "eval", "--cv", "4", "--train", "fx:train", "--pool", "big,mathy,tiny", "--routers", "best-single,task-label",
            "--sweep", "5", "--data-dir", _fixture.Root, "--out", results);

        Assert.Equal(0, exit);
        Assert.Contains("| task-label | ", File.ReadAllText(Path.Combine(results, "cv.md")), StringComparison.Ordinal);
        Assert.Equal(1 + 4 * 2, File.ReadAllLines(Path.Combine(results, "cv-folds.csv")).Length);
    }

    [Fact]
    public async Task Eval_WithCvAndATestSet_IsRefused()
    {
        var exit = await CliFixture.RunAsync(
            "eval", "--cv", "4", "--train", "fx:train", "--test", "fx-test.jsonl.gz", "--pool", "big,mathy,tiny",
            "--routers", "cheapest", "--data-dir", _fixture.Root, "--out", _fixture.Path_("r"));

        Assert.Equal(2, exit);
    }

    public void Dispose() => _fixture.Dispose();
}
