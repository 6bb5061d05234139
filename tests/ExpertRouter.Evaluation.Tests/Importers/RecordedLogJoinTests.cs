using ExpertRouter.Evaluation.Data;
using ExpertRouter.Evaluation.Importers;

namespace ExpertRouter.Evaluation.Tests.Importers;

public sealed class RecordedLogJoinTests
{
    private static RoutingRecord Record(string id, string prompt, params (string Expert, double Score, double? Weight)[] outcomes) => new()
    {
        Id = id, Benchmark = "acme", Task = "acme", Split = "train", Prompt = prompt,
        Outcomes = outcomes.ToDictionary(o => o.Expert, o => new RecordedOutcome { Score = o.Score, OutputTokensEst = 10, Weight = o.Weight }),
    };

    [Fact]
    public void Join_ALoggedPromptTheRecordedDataHolds_IsOneRecord_WithTheRecordedOutcomesAndTheLoggedOnesItLacked()
    {
        var logged = new[]
        {
            Record("lg-1", "q1", ("old", 0, 5), ("new", 1, 5)),
            Record("lg-2", "only logged", ("new", 0, 1)),
        };
        var recorded = new[] { Record("r-1", "q1", ("old", 1, null), ("other", 0, null)), Record("r-2", "q2", ("old", 0, null)) };

        var (records, summary) = RecordedLogJoin.Join([(logged, true), (recorded, false)]);

        Assert.Equal(["lg-2", "r-1", "r-2"], records.Select(r => r.Id));
        var joined = records[1];
        Assert.Equal(["new", "old", "other"], joined.Outcomes.Keys.Order());
        // The recorded outcome stands (score 1, unweighted); the new expert's comes with its logged weight.
        Assert.Equal((1.0, (double?)null), (joined.Outcomes["old"].Score, joined.Outcomes["old"].Weight));
        Assert.Equal((1.0, (double?)5), (joined.Outcomes["new"].Score, joined.Outcomes["new"].Weight));
        Assert.Same(recorded[1], records[2]);
        Assert.Equal((1, 1, 1), (summary.Prompts, summary.Joined, summary.Superseded));
    }

    [Fact]
    public void Join_TwoLogsRepeatingAPrompt_TheFirstLogsOutcomeJoins()
    {
        var first = new[] { Record("lg-a", "q1", ("new", 1, 5)) };
        var second = new[] { Record("lg-b", "q1", ("new", 0, 1)) };
        var recorded = new[] { Record("r-1", "q1", ("old", 1, null)) };

        var (records, summary) = RecordedLogJoin.Join([(recorded, false), (first, true), (second, true)]);

        Assert.Equal(1.0, Assert.Single(records).Outcomes["new"].Score);
        Assert.Equal((2, 1, 1), (summary.Prompts, summary.Joined, summary.Superseded));
    }

    [Fact]
    public void Join_RecordedSourcesAmongThemselves_AreLeftAsTheyAre()
    {
        var a = new[] { Record("r-1", "q1", ("old", 1, null)) };
        var b = new[] { Record("r-1b", "q1", ("old", 0, null)), Record("r-3", "", ("old", 0, null)) };
        var logged = new[] { Record("lg-0", "", ("new", 1, 1)) };

        var (records, summary) = RecordedLogJoin.Join([(a, false), (b, false), (logged, true)]);

        // Duplicated recorded prompts stay two records (training on recorded data alone is unchanged), and a prompt
        // without text (a tenant that logs none) matches nothing.
        Assert.Equal(["r-1", "r-1b", "r-3", "lg-0"], records.Select(r => r.Id));
        Assert.Equal(0, summary.Prompts);
    }
}
