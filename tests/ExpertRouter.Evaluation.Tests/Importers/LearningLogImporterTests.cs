using System.Text.Json;
using ExpertRouter.Core.Feedback;
using ExpertRouter.Evaluation.Importers;

namespace ExpertRouter.Evaluation.Tests.Importers;

public sealed class LearningLogImporterTests
{
    private static RequestLogRecord Request(string id, string prompt, string expert, int tokens = 40) => new()
    {
        Kind = RequestLogRecord.RequestKind, RequestId = id, Tenant = "acme", Prompt = prompt, Expert = expert, OutputTokens = tokens,
        Status = 200, Endpoint = "chat",
    };

    private static RequestLogRecord Feedback(string id, double score) => new()
    {
        Kind = RequestLogRecord.FeedbackKind, RequestId = id, Tenant = "acme", Score = score,
    };

    private static ExplorationRecord Exploration(string id, string prompt, string served, double rate, double selection, params (string Expert, double Score)[] outcomes) => new()
    {
        Id = "ex-" + id, Task = "acme", Tenant = "acme", RequestId = id, Prompt = prompt, Served = served,
        SamplingProbability = rate, SelectionProbability = selection,
        Outcomes = outcomes.ToDictionary(o => o.Expert, o => new ExplorationOutcome { Score = o.Score, OutputTokensEst = 10 }),
    };

    [Fact]
    public void Training_LastFeedbackWins_AndWeightsEachSource()
    {
        var log = new LearningLog(
            [Request("r1", "What is 2+2?", "cheap"), Feedback("r1", 0), Feedback("r1", 1), Request("r2", "hashed", "cheap") with { Prompt = "" }, Feedback("r2", 1)],
            [Exploration("r1", "What is 2+2?", "cheap", 0.2, 0.5, ("cheap", 0.5), ("dear", 1))]);

        var (records, summary) = LearningLogImporter.Training(log, new LogWeights(Feedback: 1, Exploration: 3));

        var record = Assert.Single(records);
        Assert.Equal(LearningLogImporter.IdOf("What is 2+2?"), record.Id);
        Assert.Equal(("log", "acme"), (record.Benchmark, record.Task));
        // cheap: feedback 1 (the last of 0 then 1) weighted 1, the judge's 0.5 weighted 3 × 1/0.2 (the request's sampling rate).
        Assert.Equal((1 * 1 + 15 * 0.5) / 16, record.Outcomes["cheap"].Score, 12);
        Assert.Equal(16, record.Outcomes["cheap"].Weight!.Value, 12);
        Assert.Equal(1.0, record.Outcomes["dear"].Score);
        Assert.Equal(15, record.Outcomes["dear"].Weight!.Value, 12);
        Assert.Equal((2, 1, 1, 1), (summary.Scored, summary.FeedbackUsed, summary.ExplorationsUsed, summary.WithoutPrompt));
    }

    [Theory]
    [InlineData(1.0, 1.0)]
    [InlineData(0.5, 2.0)]
    [InlineData(0.01, LogWeights.MaxInverseSamplingRate)]
    [InlineData(0.0, 1.0)]
    public void Training_ExploredRequest_StandsForTheRequestsItWasSampledFrom(double rate, double weight)
    {
        var log = new LearningLog([], [Exploration("r1", "q", "cheap", rate, 1, ("cheap", 1), ("dear", 0))]);

        var (records, _) = LearningLogImporter.Training(log, LogWeights.Default);

        var record = Assert.Single(records);
        Assert.Equal(weight, record.Outcomes["cheap"].Weight!.Value, 12);
        Assert.Equal(weight, record.Outcomes["dear"].Weight!.Value, 12);
    }

    [Fact]
    public void Training_ZeroWeight_LeavesThatSourceOut()
    {
        var log = new LearningLog([Request("r1", "q", "cheap"), Feedback("r1", 1)], [Exploration("r1", "q", "cheap", 0.2, 1, ("dear", 1))]);

        var (records, _) = LearningLogImporter.Training(log, new LogWeights(Feedback: 0, Exploration: 1));

        Assert.Equal(["dear"], Assert.Single(records).Outcomes.Keys);
    }

    [Fact]
    public void Training_EnsemblesRefusalsAndUnscoredRequests_AreNotLabels()
    {
        var log = new LearningLog(
            [
                Request("a", "q1", "x") with { Ensemble = "vote3" }, Feedback("a", 1),
                Request("b", "q2", "x") with { Status = 429 }, Feedback("b", 1),
                Request("c", "q3", "x"),
            ],
            []);

        Assert.Empty(LearningLogImporter.Training(log, LogWeights.Default).Records);
    }

    [Fact]
    public void Test_OutcomesCarryTheChanceTheyWereObserved()
    {
        var log = new LearningLog([], [Exploration("r1", "q", "cheap", 0.2, 0.25, ("cheap", 1), ("dear", 0))]);

        var record = Assert.Single(LearningLogImporter.Test(log));

        Assert.Equal(0.2, record.Outcomes["cheap"].Propensity);
        Assert.Equal(0.05, record.Outcomes["dear"].Propensity!.Value, 12);
        Assert.Equal(LearningLogImporter.SplitOf("q"), record.Split);
    }

    [Fact]
    public void Test_AnExpertPickedFirst_CarriesItsOwnChance()
    {
        var explored = Exploration("r1", "q", "cheap", 0.2, 0.25, ("cheap", 1), ("new", 1), ("dear", 0)) with
        {
            SelectionProbabilities = new Dictionary<string, double> { ["new"] = 1, ["dear"] = 0.25 },
        };

        var record = Assert.Single(LearningLogImporter.Test(new LearningLog([], [explored])));

        Assert.Equal(0.2, record.Outcomes["new"].Propensity!.Value, 12);
        Assert.Equal(0.05, record.Outcomes["dear"].Propensity!.Value, 12);
    }

    [Fact]
    public void ReadDirectory_ReadsBothSeries_AndLeavesATornLastLine()
    {
        var directory = Fixtures.TempDirectory();
        var request = JsonSerializer.Serialize(Request("r1", "q", "cheap"), RequestLogJson.Default.RequestLogRecord);
        File.WriteAllText(Path.Combine(directory, "requests-20261206T000000Z-a-0001.jsonl"), request + "\n{\"request_id\":\"torn");
        File.WriteAllText(Path.Combine(directory, "requests-20261206T010000Z-a-0002.jsonl"), "not json\n");
        var exploration = JsonSerializer.Serialize(Exploration("r1", "q", "cheap", 1, 1, ("cheap", 1)), RequestLogJson.Default.ExplorationRecord);
        File.WriteAllText(Path.Combine(directory, "exploration-20261206T000000Z-a-0001.jsonl"), exploration + "\n");

        var log = LearningLog.ReadDirectory(directory);

        Assert.Equal("r1", Assert.Single(log.Requests).RequestId);
        Assert.Equal("ex-r1", Assert.Single(log.Explorations).Id);
        Assert.Equal(1, log.Unreadable);
    }

    [Fact]
    public void FeedbackLog_TheGatewaysFeedbackRecords_LastScoreWins()
    {
        var lines = new[] { Request("r1", "hi", "a"), Feedback("r1", 1), Feedback("r1", 0) }
            .Select(r => JsonSerializer.Serialize(r, RequestLogJson.Default.RequestLogRecord));

        var record = Assert.Single(FeedbackLogImporter.Import(lines));

        Assert.Equal(0, record.Outcomes["a"].Score);
    }
}
