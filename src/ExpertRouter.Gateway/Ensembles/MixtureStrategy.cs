using ExpertRouter.Core.Ensembles;
using Microsoft.SemanticKernel;

namespace ExpertRouter.Gateway.Ensembles;

/// <summary>
/// Mixture-of-agents (one layer): the top-N propose in parallel, then the aggregator expert, given every proposal
/// through the aggregator prompt template, writes the final answer, streamed live to a streaming client. If the
/// aggregator fails before its first token, the best-ranked proposal is returned instead.
/// </summary>
public sealed class MixtureStrategy(EnsemblePrompts prompts) : IEnsembleStrategy
{
    public EnsembleMode Mode => EnsembleMode.Moa;

    public async Task<EnsembleOutcome> RunAsync(EnsembleContext context, CancellationToken cancellationToken)
    {
        var answered = await context.ProposeTopAsync(cancellationToken).ConfigureAwait(false);
        if (answered.Length == 0)
        {
            return EnsembleOutcome.Failed("moa: every proposer failed");
        }

        var aggregator = context.Options.Aggregator ?? context.Ranking[0].Expert.Id;
        var arguments = context.CandidateArguments(answered);
        var decision = $"aggregator {aggregator} over {answered.Length} proposals";
        var final = await context.InvokeFinalAsync(prompts.Aggregator, aggregator, ExpertRole.Aggregator, arguments, decision, cancellationToken).ConfigureAwait(false);
        if (final.Succeeded)
        {
            return new EnsembleOutcome(final.Content, aggregator, decision) { Streamed = final.Streamed };
        }

        return final.Streamed
            ? EnsembleOutcome.Broken(final, decision)
            : new EnsembleOutcome(answered[0].Content, answered[0].Expert.Id, $"aggregator {aggregator} failed; top-ranked proposal");
    }
}
