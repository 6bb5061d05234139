using ExpertRouter.Core.Ensembles;

namespace ExpertRouter.Core.Tests.Ensembles;

public sealed class MajorityVoteTests
{
    [Fact]
    public void Decide_MostCommonAnswerWins_RepresentedByItsBestPredictedSupporter()
    {
        var outcome = MajorityVote.Decide([new("41", 0.9), new("42", 0.5), new("42", 0.7)]);

        Assert.NotNull(outcome);
        Assert.Equal("42", outcome.Answer);
        Assert.Equal([1, 2], outcome.Supporters);
        Assert.Equal(2, outcome.Representative);
        Assert.Equal(2, outcome.Votes);
        Assert.Equal(3, outcome.ValidBallots);
    }

    [Fact]
    public void Decide_Tie_GoesToHigherPredictedQuality()
    {
        var outcome = MajorityVote.Decide([new("A", 0.4), new("B", 0.8), new("A", 0.3), new("B", 0.2)]);

        Assert.Equal("B", outcome!.Answer);
        Assert.Equal(1, outcome.Representative);
    }

    [Fact]
    public void Decide_EqualTie_GoesToEarlierBallot()
    {
        Assert.Equal("A", MajorityVote.Decide([new("A", double.NaN), new("B", double.NaN)])!.Answer);
    }

    [Fact]
    public void Decide_MissingAnswersCastNoVote_AllMissingIsNull()
    {
        Assert.Equal("7", MajorityVote.Decide([new(null, 0.9), new(null, 0.9), new("7", 0.1)])!.Answer);
        Assert.Null(MajorityVote.Decide([new(null, 0.9)]));
    }

    [Theory]
    [InlineData(0.80, 0.78, 0.05, true)]
    [InlineData(0.80, 0.70, 0.05, false)]
    [InlineData(0.80, double.NaN, 0.05, true)]
    [InlineData(0.80, 0.80, 0.0, false)]
    public void FanOutRule_FansOutOnlyWithinMargin(double top, double second, double margin, bool expected) =>
        Assert.Equal(expected, FanOutRule.ShouldFanOut(top, second, margin));
}
