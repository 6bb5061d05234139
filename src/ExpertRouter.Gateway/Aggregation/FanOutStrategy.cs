using System.Globalization;
using ExpertRouter.Core.Aggregation;

namespace ExpertRouter.Gateway.Aggregation;

/// <summary>
/// Confidence-triggered fan-out: when the router's top two utilities are within the margin it cannot tell them
/// apart, so the top-N vote; otherwise its first choice answers alone and costs one call.
/// </summary>
public sealed class FanOutStrategy : IEnsembleStrategy
{
    public EnsembleMode Mode => EnsembleMode.FanOut;

    public async Task<EnsembleOutcome> RunAsync(EnsembleContext context, CancellationToken cancellationToken)
    {
        var ranking = context.Ranking;
        var gap = ranking.Count < 2 ? double.NaN : ranking[0].Utility - ranking[1].Utility;
        var gapText = double.IsNaN(gap) ? "n/a" : gap.ToString("F3", CultureInfo.InvariantCulture);
        var margin = context.Options.Margin.ToString("0.###", CultureInfo.InvariantCulture);
        if (ranking.Count >= 2 && FanOutRule.ShouldFanOut(ranking[0].Utility, ranking[1].Utility, context.Options.Margin))
        {
            return await VoteStrategy.VoteAsync(context, context.Options.Size, $"fan-out (gap {gapText} < {margin}): ", cancellationToken).ConfigureAwait(false);
        }

        var single = await context.ProposeAsync(ranking[0].Expert, cancellationToken).ConfigureAwait(false);
        return single.Succeeded
            ? new EnsembleOutcome(single.Content, single.Expert.Id, $"single (gap {gapText} >= {margin})")
            : EnsembleOutcome.Failed($"single (gap {gapText} >= {margin}): expert failed");
    }
}
