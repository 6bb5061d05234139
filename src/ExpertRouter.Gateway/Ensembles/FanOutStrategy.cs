using System.Globalization;
using ExpertRouter.Core.Ensembles;
using ExpertRouter.Core.Routing;
using ExpertRouter.Gateway.Routing;

namespace ExpertRouter.Gateway.Ensembles;

/// <summary>
/// Confidence-triggered fan-out: when the router's top two utilities are within the margin it cannot tell them
/// apart, so the top-N vote; otherwise its first choice answers alone and costs one call (streamed live to a streaming
/// client). When that call fails or is skipped, the next expert stands in as for a routed request (the tenant's
/// fallback chain first, then the ranking), up to <c>MaxFallbacks</c> times; the budget reserved for that too.
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

        var decision = $"single (gap {gapText} >= {margin})";
        var candidates = SingleCandidates(ranking, context.FallbackChain, context.MaxFallbacks);
        for (var i = 0; i < candidates.Count; i++)
        {
            var note = i == 0 ? decision : $"{decision}; fell back to {candidates[i].Expert.Id}";
            var single = await context.ProposeFinalAsync(candidates[i].Expert, note, cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// Who may give the single answer, in order: the router's first choice, then the tenant's fallback chain, then
    /// the rest of the ranking, as a routed request falls back; at most <c>1 + MaxFallbacks</c> of them.
    /// </summary>
    internal static IReadOnlyList<ExpertScore> SingleCandidates(IReadOnlyList<ExpertScore> ranking, IReadOnlyList<string> fallbackChain, int maxFallbacks) =>
        FallbackOrder.Apply(ranking, fallbackChain).Take(1 + maxFallbacks).ToArray();
}
