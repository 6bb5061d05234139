using ExpertRouter.Core.Ensembles;
using ExpertRouter.Core.Experts;
using ExpertRouter.Evaluation.Data;
using ExpertRouter.Evaluation.Ensembles;
using ExpertRouter.Evaluation.Harness;

namespace ExpertRouter.Evaluation.Tests.Ensembles;

/// <summary>
/// Four prompts, three experts (a cheap, b mid, c dear), hand-set router predictions:
/// p0: c is predicted best but wrong, a and b agree on the right answer (top-two gap 0.1);
/// p1: a is predicted best but wrong, b and c agree on the right answer (gap 0.4);
/// p2: everyone is right (gap 0.7); p3: no response has an extractable answer, only c is scored right (gap 0.05).
/// </summary>
public sealed class EnsembleEvaluatorTests
{
    private static readonly ExpertDefinition[] Experts =
    [
        new() { Id = "a", InputUsdPerMTok = 1, OutputUsdPerMTok = 1, ExpectedOutputTokens = 10 },
        new() { Id = "b", InputUsdPerMTok = 2, OutputUsdPerMTok = 2, ExpectedOutputTokens = 10 },
        new() { Id = "c", InputUsdPerMTok = 3, OutputUsdPerMTok = 3, ExpectedOutputTokens = 10 },
    ];

    private static readonly double[] Quality =
    [
        0.7, 0.8, 0.9,
        0.9, 0.5, 0.4,
        0.1, 0.2, 0.9,
        0.1, 0.85, 0.9,
    ];

    [Fact]
    public void Evaluate_VoteAndFanOut_ScoreByRecordedOutcomesOfTheWinningAnswer_CostEveryCall()
    {
        var table = new OutcomeTable(Records(), Experts);
        var settings = new EnsembleSetting[]
        {
            new(null, 1, 0, 0),
            new(EnsembleMode.Vote, 3, 0, 0),
            new(EnsembleMode.FanOut, 3, 0.15, 0),
        };

        var evaluation = EnsembleEvaluator.Evaluate("fixture", table, new QualityMatrix(4, 3, Quality), new JsonAnswerExtractor(), [0.0], settings);

        var (single, vote, fanOut) = (evaluation.Results[0], evaluation.Results[1], evaluation.Results[2]);
        Assert.Equal((0 + 0 + 1 + 1) / 4.0, single.Point.Score, 12);
        Assert.Equal((1 + 1 + 1 + 1) / 4.0, vote.Point.Score, 12);
        Assert.Equal((1 + 0 + 1 + 1) / 4.0, fanOut.Point.Score, 12);
        Assert.Equal(0.5, fanOut.FanOutShare, 12);
        Assert.Equal((3 + 1 + 1 + 3) / 4.0, fanOut.MeanCalls, 12);
        Assert.Equal(9.0 / 12.0, vote.ExtractedShare, 12);
        Assert.Equal(Enumerable.Range(0, 4).Sum(p => Enumerable.Range(0, 3).Sum(e => table.RealisedCostUsd[p * 3 + e])) * 1000 / 4, vote.Point.CostPer1K, 12);
        Assert.True(vote.Point.CostPer1K > fanOut.Point.CostPer1K && fanOut.Point.CostPer1K > single.Point.CostPer1K);
        // The single-routing hull has one point here: at least as dear as it, single routing gives its score.
        Assert.Equal(single.Point.Score, vote.SingleAtSameCost, 12);
        Assert.Equal(vote.Point.Score - single.Point.Score, vote.GainOverSingle, 12);
        Assert.Null(vote.SingleCostForSameQuality);
    }

    [Fact]
    public void Report_WritesOneRowPerSetting()
    {
        var table = new OutcomeTable(Records(), Experts);
        var evaluation = EnsembleEvaluator.Evaluate("fixture", table, new QualityMatrix(4, 3, Quality), new JsonAnswerExtractor(), [0.0],
            [new EnsembleSetting(EnsembleMode.Vote, 3, 0, 0), new EnsembleSetting(EnsembleMode.FanOut, 2, 0.1, 0)]);

        var markdown = EnsembleReport.Markdown([evaluation]);

        Assert.Contains("### fixture (4 prompts, extractor json-answer)", markdown);
        Assert.Contains("| vote | 3 | - | 0 | 100 % |", markdown);
        Assert.Contains("| fan-out | 2 | 0.1 | 0 |", markdown);
        Assert.Contains("unreachable", markdown);
    }

    private static RoutingRecord[] Records() =>
    [
        Record("p0", ("a", "1", 1), ("b", "1", 1), ("c", "2", 0)),
        Record("p1", ("a", "5", 0), ("b", "6", 1), ("c", "6", 1)),
        Record("p2", ("a", "3", 1), ("b", "3", 1), ("c", "3", 1)),
        new RoutingRecord
        {
            Id = "p3",
            Prompt = "Question p3?",
            Outcomes = new Dictionary<string, RecordedOutcome>
            {
                ["a"] = new() { Score = 0, OutputTokensEst = 10, Response = "no idea" },
                ["b"] = new() { Score = 0, OutputTokensEst = 10, Response = "unsure" },
                ["c"] = new() { Score = 1, OutputTokensEst = 10, Response = "it is forty" },
            },
        },
    ];

    private static RoutingRecord Record(string id, params (string Expert, string Answer, double Score)[] outcomes) => new()
    {
        Id = id,
        Prompt = $"Question {id}?",
        Outcomes = outcomes.ToDictionary(
            o => o.Expert,
            o => new RecordedOutcome { Score = o.Score, OutputTokensEst = 10 + o.Answer.Length, Response = $"{{\"reasoning\": \"r\", \"answer\": \"{o.Answer}\"}}" }),
    };
}
