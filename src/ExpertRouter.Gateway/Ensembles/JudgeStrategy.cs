using System.Text.RegularExpressions;
using ExpertRouter.Core.Ensembles;
using Microsoft.SemanticKernel;

namespace ExpertRouter.Gateway.Ensembles;

/// <summary>
/// Best-of-N: the top-N answer in parallel, then the judge expert (the judge prompt template, run through Semantic
/// Kernel) picks one. An unreadable verdict or a failed judge leaves the best-ranked answer standing.
/// </summary>
public sealed partial class JudgeStrategy(EnsemblePrompts prompts) : IEnsembleStrategy
{
    public EnsembleMode Mode => EnsembleMode.Judge;

    public async Task<EnsembleOutcome> RunAsync(EnsembleContext context, CancellationToken cancellationToken)
    {
        var answered = await context.ProposeTopAsync(cancellationToken).ConfigureAwait(false);
        if (answered.Length == 0)
        {
            return EnsembleOutcome.Failed("judge: every proposer failed");
        }

        if (answered.Length == 1)
        {
            return new EnsembleOutcome(answered[0].Content, answered[0].Expert.Id, "judge not asked: one answer arrived");
        }

        var judge = context.Options.Judge ?? context.Ranking[0].Expert.Id;
        var arguments = context.CandidateArguments(answered);
        var verdict = await context.InvokeAsync(prompts.Judge, judge, ExpertRole.Judge, arguments, cancellationToken).ConfigureAwait(false);
        if (!verdict.Succeeded)
        {
            return new EnsembleOutcome(answered[0].Content, answered[0].Expert.Id, $"judge {judge} failed; top-ranked answer");
        }

        if (ParseChoice(verdict.Content, answered.Length) is { } choice)
        {
            var chosen = answered[choice];
            return new EnsembleOutcome(chosen.Content, chosen.Expert.Id, $"judge {judge} picked {choice + 1} of {answered.Length}");
        }

        return new EnsembleOutcome(answered[0].Content, answered[0].Expert.Id, $"judge {judge} verdict unreadable; top-ranked answer");
    }

    /// <summary>The zero-based candidate named by "BEST: n", or null when the verdict names none in range.</summary>
    public static int? ParseChoice(string verdict, int candidates)
    {
        var match = Best().Match(verdict);
        return match.Success && int.TryParse(match.Groups["n"].Value, out var n) && n >= 1 && n <= candidates ? n - 1 : null;
    }

    [GeneratedRegex(@"BEST\W*\[?(?<n>\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex Best();
}
