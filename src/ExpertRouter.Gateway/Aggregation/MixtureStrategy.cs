using Microsoft.SemanticKernel;

namespace ExpertRouter.Gateway.Aggregation;

/// <summary>
/// Mixture-of-agents (one layer): the top-N propose in parallel, then the aggregator expert, given every proposal
/// through the aggregator prompt template, writes the final answer. If the aggregator fails, the best-ranked
/// proposal is returned instead.
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
        var final = await context.InvokeAsync(prompts.Aggregator, aggregator, ExpertRole.Aggregator, arguments, cancellationToken).ConfigureAwait(false);
        return final.Succeeded
            ? new EnsembleOutcome(final.Content, aggregator, $"aggregator {aggregator} over {answered.Length} proposals")
            : new EnsembleOutcome(answered[0].Content, answered[0].Expert.Id, $"aggregator {aggregator} failed; top-ranked proposal");
    }
}
