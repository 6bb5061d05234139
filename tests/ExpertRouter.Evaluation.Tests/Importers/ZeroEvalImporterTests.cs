using System.Text.Json;
using ExpertRouter.Evaluation.Importers;

namespace ExpertRouter.Evaluation.Tests.Importers;

public sealed class ZeroEvalImporterTests
{
    [Theory]
    [InlineData("gsm", "```json\n{\"reasoning\": \"2+1\", \"answer\": \"3\"}\n```", "3", 1)]
    [InlineData("gsm", "{\"reasoning\": \"x\", \"answer\": \"$1,200.00\"}", "#### 1200", 1)]
    [InlineData("gsm", "{\"reasoning\": \"x\", \"answer\": \"3/4\"}", "0.75", 1)]
    [InlineData("gsm", "{\"reasoning\": \"x\", \"answer\": 42}", "41", 0)]
    [InlineData("gsm", "no json here, answer: 7", "7", 1)]
    [InlineData("gsm", "I cannot tell.", "7", 0)]
    [InlineData("crux", "{\"answer\": \"'abc'\"}", "'abc'", 1)]
    [InlineData("crux", "{\"answer\": \"\"}", "''", 1)]
    [InlineData("crux", "{\"answer\": [\"a\", \"b\"]}", "['a', 'b']", 1)]
    [InlineData("crux", "{\"answer\": {\"w\": 3}}", "{'w': 3}", 1)]
    [InlineData("crux", "{\"answer\": \"ab\"}", "'abc'", 0)]
    public void Score_FollowsZeroEvalsRule(string task, string output, string gold, int expected)
    {
        var answer = ZeroEvalAnswerScoring.ExtractAnswer("some-model", output);

        Assert.Equal(expected, ZeroEvalAnswerScoring.Score(task, answer, gold));
    }

    [Fact]
    public void ExtractAnswer_ReadsLlama31BoxedAnswerAtTheEnd()
    {
        Assert.Equal("12", ZeroEvalAnswerScoring.ExtractAnswer("Meta-Llama-3.1-8B-Instruct", "so the total is \\boxed{12}"));
        Assert.Null(ZeroEvalAnswerScoring.ExtractAnswer("gemma-2-9b-it", "so the total is \\boxed{12}"));
    }

    [Fact]
    public void Import_ReadsResultDirsWithModelNamesPromptsAndSplits()
    {
        var root = Fixtures.TempDirectory();
        var gsm = Directory.CreateDirectory(Path.Combine(root, "result_dirs", "gsm")).FullName;
        var items = new[]
        {
            new { id = "gsm8k-main-test-#1", chat_history = new[] { "Q1 prompt" }, answer = "#### 3", output = new[] { "{\"answer\": \"3\"}" } },
            new { id = "gsm8k-main-test-#2", chat_history = new[] { "Q2 prompt" }, answer = "#### 5", output = new[] { "{\"answer\": \"4\"}" } },
        };
        File.WriteAllText(Path.Combine(gsm, "gemma-2-9b-it@together.json"), JsonSerializer.Serialize(items));
        File.WriteAllText(Path.Combine(gsm, "other.json"), JsonSerializer.Serialize(items.Take(1)));

        var records = ZeroEvalImporter.Import(root);

        Assert.Equal(["gsm8k-main-test-#1", "gsm8k-main-test-#2"], records.Select(r => r.Id));
        Assert.Equal("Q1 prompt", records[0].Prompt);
        Assert.Equal("3", records[0].Reference);
        Assert.Equal("gsm8k", records[0].Task);
        Assert.Equal(1, records[0].Outcomes["gemma-2-9b-it"].Score);
        Assert.Equal(0, records[1].Outcomes["gemma-2-9b-it"].Score);
        Assert.Equal(2, records[0].Outcomes.Count);
        Assert.Equal(ImportRules.SplitOf("zeroeval", "gsm8k-main-test-#1"), records[0].Split);
    }

    [Theory]
    [InlineData("zeroeval", "gsm8k-main-test-#1", "train")]
    public void SplitOf_MatchesTheSharedDataRule(string benchmark, string id, string split)
    {
        // The shared data holds gsm8k-main-test-#1 in "train" (its first line).
        Assert.Equal(split, ImportRules.SplitOf(benchmark, id));
    }
}
