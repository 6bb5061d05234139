using ExpertRouter.Cli.Commands;
using ExpertRouter.Core.Ensembles;
using ExpertRouter.Evaluation.Ensembles;

namespace ExpertRouter.Cli.Tests.Commands;

public sealed class EvalEnsembleCommandTests
{
    [Fact]
    public void Settings_PerLambdaAndK_AVoteAndOneFanOutPerMargin_ThenSingleRoutingPerLambda()
    {
        var settings = EvalEnsembleCommand.Settings([3, 5], [0.01, 0.05], [0, 0.1]);

        Assert.Equal(2 * 2 * 3 + 2, settings.Count);
        Assert.Equal(new EnsembleSetting(EnsembleMode.Vote, 3, 0, 0), settings[0]);
        Assert.Equal(new EnsembleSetting(EnsembleMode.FanOut, 3, 0.05, 0), settings[2]);
        Assert.Equal(new EnsembleSetting(EnsembleMode.FanOut, 5, 0.01, 0.1), settings[10]);
        Assert.Equal([0.0, 0.1], settings.Where(s => s.Mode is null).Select(s => s.Lambda));
    }

    [Theory]
    [InlineData("zeroeval:test", true)]
    [InlineData("zeroeval:train+test", true)]
    [InlineData("zeroeval:dev", false)]
    [InlineData("fixtures/tested.jsonl:dev", false)]
    public void IsHoldout_RefusesTheTestSplit(string source, bool expected) =>
        Assert.Equal(expected, EvalEnsembleCommand.IsHoldout(source));
}
