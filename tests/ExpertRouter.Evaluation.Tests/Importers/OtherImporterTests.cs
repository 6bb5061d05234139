using System.IO.Compression;
using System.Text.Json;
using ExpertRouter.Core.Feedback;
using ExpertRouter.Evaluation.Importers;

namespace ExpertRouter.Evaluation.Tests.Importers;

public sealed class OtherImporterTests
{
    [Fact]
    public void MmluPro_CanonicalWordingFromNewestModelRescoresAndDropsOtherWording()
    {
        var root = Fixtures.TempDirectory();
        var results = Directory.CreateDirectory(Path.Combine(root, "eval_results")).FullName;
        object Item(string question, string answer, string? pred) => new
        {
            question_id = 7, question, options = new[] { "one", "two" }, answer, pred, category = "math", model_outputs = "the answer is (B)",
        };
        WriteZip(Path.Combine(results, "model_outputs_gemini-1.5-pro-002_5shots.zip"), [Item("What is 1+1?", "B", "B")]);
        WriteZip(Path.Combine(results, "model_outputs_old-model_5shots.zip"), [Item("What  is 1+1?", "A", "B")]);
        WriteZip(Path.Combine(results, "model_outputs_Meta-Llama-3_1-8B_5shots.zip"), [Item("What is two?", "B", "B")]);

        var record = Assert.Single(MmluProImporter.Import(root));

        Assert.Equal("mmlu-pro-7", record.Id);
        Assert.Equal("B", record.Reference);
        Assert.Contains("Question: What is 1+1?\nOptions:\nA. one\nB. two", record.Prompt);
        Assert.Equal(1, record.Outcomes["gemini-1.5-pro-002"].Score);
        Assert.Equal(1, record.Outcomes["old-model"].Score);                 // re-scored against the canonical answer
        Assert.False(record.Outcomes.ContainsKey("Meta-Llama-3.1-8B"));     // saw a different question
    }

    [Fact]
    public void AlpacaEval_ScoreIsPreferenceMinusOneAndReferenceIsOneHalf()
    {
        var root = Fixtures.TempDirectory();
        var reference = Directory.CreateDirectory(Path.Combine(root, "results", AlpacaEvalImporter.Reference)).FullName;
        File.WriteAllText(Path.Combine(reference, "model_outputs.json"), JsonSerializer.Serialize(new[]
        {
            new { instruction = "Write a haiku", output = "ref haiku", dataset = "helpful_base" },
            new { instruction = "Explain tides", output = "ref tides", dataset = "koala" },
        }));
        var annotations = Directory.CreateDirectory(Path.Combine(root, "results", "m1", AlpacaEvalImporter.Annotator)).FullName;
        File.WriteAllText(Path.Combine(annotations, "annotations.json"), JsonSerializer.Serialize(new object[]
        {
            new { instruction = "Write a haiku", output_2 = "my haiku", preference = 1.75, generator_1 = AlpacaEvalImporter.Reference },
            new { instruction = "Explain tides", output_2 = "x", preference = (double?)null, generator_1 = AlpacaEvalImporter.Reference },
        }));

        var records = AlpacaEvalImporter.Import(root);

        Assert.Equal(["alpacaeval-000", "alpacaeval-001"], records.Select(r => r.Id));
        Assert.Equal(0.75, records[0].Outcomes["m1"].Score, 10);
        Assert.Equal(0.5, records[0].Outcomes[AlpacaEvalImporter.Reference].Score);
        Assert.False(records[1].Outcomes.ContainsKey("m1"));
        Assert.Equal("koala", records[1].Task);
    }

    [Fact]
    public void FeedbackLog_KeepsScoredRequestsAndAveragesRepeats()
    {
        var log = new[]
        {
            new RequestLogRecord { RequestId = "1", Tenant = "t", Prompt = "hi", Expert = "a", Score = 1, OutputTokens = 10, CostUsd = 0.01 },
            new RequestLogRecord { RequestId = "2", Tenant = "t", Prompt = "hi", Expert = "a", Score = 0, OutputTokens = 30 },
            new RequestLogRecord { RequestId = "3", Tenant = "t", Prompt = "hi", Expert = "b", Score = 1 },
            new RequestLogRecord { RequestId = "4", Tenant = "t", Prompt = "unscored", Expert = "a" },
        }.Select(r => JsonSerializer.Serialize(r));

        var record = Assert.Single(FeedbackLogImporter.Import(log));

        Assert.Equal(0.5, record.Outcomes["a"].Score);
        Assert.Equal(20, record.Outcomes["a"].OutputTokensEst);
        Assert.Equal(1, record.Outcomes["b"].Score);
        Assert.StartsWith("fb-", record.Id);
        Assert.Equal("t", record.Task);
    }

    [Fact]
    public void Finish_DuplicatePromptTakesTheEarlierSplit()
    {
        var first = Fixtures.Record(0, "train");
        var second = Fixtures.Record(1, "dev") with { Prompt = first.Prompt, Benchmark = first.Benchmark };

        var records = ImportRules.Finish([first, second, second with { Outcomes = new Dictionary<string, ExpertRouter.Evaluation.Data.RecordedOutcome>() }]);

        Assert.Equal(["train", "train"], records.Select(r => r.Split));
    }

    private static void WriteZip(string path, object[] items)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        using var stream = zip.CreateEntry("math_result.json").Open();
        JsonSerializer.Serialize(stream, items);
    }
}
