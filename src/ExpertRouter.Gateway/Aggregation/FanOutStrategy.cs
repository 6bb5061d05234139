using System.Globalization;
using ExpertRouter.Core.Aggregation;

namespace ExpertRouter.Gateway.Aggregation;

/// <summary>
/// Confidence-triggered fan-out: when the router's top two utilities are within the margin it cannot tell them
/// apart, so the top-N vote; otherwise its first choice answers alone and costs one call (streamed live to a streaming
/// client). When that call fails or is skipped, the next of the top-N stands in, up to <c>MaxFallbacks</c> times.
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

        // The single answer falls back down the ranking like a routed request, but only within the reserved top-N.
        var decision = $"single (gap {gapText} >= {margin})";
        var tries = Math.Min(Math.Min(context.Options.Size, ranking.Count), 1 + context.MaxFallbacks);
        for (var i = 0; i < tries; i++)
        {
            var note = i == 0 ? decision : $"{decision}; fell back to {ranking[i].Expert.Id}";
            var single = await context.ProposeFinalAsync(ranking[i].Expert, note, cancellationToken).ConfigureAwait(false);
            if (single.Succeeded)
            {
                return new EnsembleOutcome(single.Content, single.Expert.Id, note) { Streamed = single.Streamed };
            }

            if (single.Streamed)
            {
                return EnsembleOutcome.Broken(single, note);
            }
        }

        return EnsembleOutcome.Failed($"{decision}: expert failed");
    }
}
