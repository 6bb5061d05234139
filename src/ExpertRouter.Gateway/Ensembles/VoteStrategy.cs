using ExpertRouter.Core.Ensembles;

namespace ExpertRouter.Gateway.Ensembles;

/// <summary>
/// Majority vote: the top-N experts answer in parallel, each answer is extracted and normalised, and the most common
/// wins (ties: the higher predicted quality). The winning group's best-predicted expert's full text is returned.
/// </summary>
public sealed class VoteStrategy : IEnsembleStrategy
{
    public EnsembleMode Mode => EnsembleMode.Vote;

    public Task<EnsembleOutcome> RunAsync(EnsembleContext context, CancellationToken cancellationToken) =>
        VoteAsync(context, context.Options.Size, "", cancellationToken);

    internal static async Task<EnsembleOutcome> VoteAsync(EnsembleContext context, int size, string prefix, CancellationToken cancellationToken)
    {
        var voters = context.Top(size);
        var results = await context.ProposeAsync(voters.Select(v => v.Expert), cancellationToken).ConfigureAwait(false);
        var ballots = results
            .Select((r, i) => new Ballot(r.Succeeded ? context.Extractor.Extract(r.Content) : null, voters[i].PredictedQuality))
            .ToArray();
        if (MajorityVote.Decide(ballots) is { } vote)
        {
            var winner = results[vote.Representative];
            return new EnsembleOutcome(winner.Content, winner.Expert.Id, $"{prefix}vote {vote.Votes} of {vote.ValidBallots} for \"{Shorten(vote.Answer)}\"");
        }

        // No answer could be extracted: the best-ranked expert that answered at all speaks for the ensemble.
        return results.FirstOrDefault(r => r.Succeeded) is { } first
            ? new EnsembleOutcome(first.Content, first.Expert.Id, $"{prefix}no answer extracted; top-ranked reply")
            : EnsembleOutcome.Failed($"{prefix}vote: every expert failed");
    }

    private static string Shorten(string answer)
    {
        var line = answer.ReplaceLineEndings(" ").Replace("\"", "'", StringComparison.Ordinal);
        return line.Length <= 40 ? line : line[..40] + "…";
    }
}
