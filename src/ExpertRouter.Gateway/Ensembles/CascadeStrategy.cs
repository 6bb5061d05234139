using System.Globalization;
using ExpertRouter.Core.Ensembles;
using ExpertRouter.Gateway.Invocation;
using Microsoft.SemanticKernel;

namespace ExpertRouter.Gateway.Ensembles;

/// <summary>
/// Cascade: the router's top-N are tried cheapest first. With a judge configured, the judge checks each answer
/// (verifier prompt) and a REJECT escalates to the next; without one, the router's predicted quality is the verifier
/// and an expert predicted below the threshold is passed over before it is paid for. A failed call escalates too;
/// the dearest expert's answer is final.
/// </summary>
public sealed class CascadeStrategy(EnsemblePrompts prompts) : IEnsembleStrategy
{
    public EnsembleMode Mode => EnsembleMode.Cascade;

    public async Task<EnsembleOutcome> RunAsync(EnsembleContext context, CancellationToken cancellationToken)
    {
        var ladder = context.Top(context.Options.Size).OrderBy(s => s.ExpectedCostUsd).ThenBy(s => s.Expert.Id, StringComparer.Ordinal).ToArray();
        var steps = new List<string>();
        ExpertCallResult? lastAnswer = null;
        for (var i = 0; i < ladder.Length; i++)
        {
            var step = ladder[i];
            var last = i == ladder.Length - 1;
            if (!last && context.Options.Judge is null && !(step.PredictedQuality >= context.Options.VerifierThreshold))
            {
                steps.Add($"{step.Expert.Id} passed over (predicted {Format(step.PredictedQuality)})");
                continue;
            }

            // A step whose answer will not be verified is the final answer as it comes: stream it live.
            var unverified = last || context.Options.Judge is null;
            var answer = unverified
                ? await context.ProposeFinalAsync(step.Expert, Decision(steps, $"{step.Expert.Id} accepted"), cancellationToken).ConfigureAwait(false)
                : await context.ProposeAsync(step.Expert, cancellationToken).ConfigureAwait(false);
            if (!answer.Succeeded)
            {
                steps.Add($"{step.Expert.Id} {answer.StatusText}");
                if (answer.Streamed)
                {
                    return EnsembleOutcome.Broken(answer, Decision(steps, "broke mid-stream"));
                }

                continue;
            }

            lastAnswer = answer;
            if (last || context.Options.Judge is not { } judge || await AcceptsAsync(context, judge, answer, cancellationToken).ConfigureAwait(false))
            {
                steps.Add($"{step.Expert.Id} accepted");
                return new EnsembleOutcome(answer.Content, answer.Expert.Id, "cascade: " + string.Join("; ", steps)) { Streamed = answer.Streamed };
            }

            steps.Add($"{step.Expert.Id} rejected");
        }

        // The final step failed: an earlier answer the verifier rejected still beats no answer.
        return lastAnswer is not null
            ? new EnsembleOutcome(lastAnswer.Content, lastAnswer.Expert.Id, "cascade: " + string.Join("; ", steps) + "; last answer kept")
            : EnsembleOutcome.Failed("cascade: " + string.Join("; ", steps));
    }

    private async Task<bool> AcceptsAsync(EnsembleContext context, string judge, ExpertCallResult answer, CancellationToken cancellationToken)
    {
        var arguments = new KernelArguments { ["question"] = context.Prompt, ["answer"] = answer.Content };
        var verdict = await context.InvokeAsync(prompts.Verifier, judge, ExpertRole.Verifier, arguments, cancellationToken).ConfigureAwait(false);
        // A verifier that fails or hedges does not stop escalation: only an explicit ACCEPT without REJECT does.
        return verdict.Succeeded
            && verdict.Content.Contains("ACCEPT", StringComparison.OrdinalIgnoreCase)
            && !verdict.Content.Contains("REJECT", StringComparison.OrdinalIgnoreCase);
    }

    private static string Decision(List<string> steps, string next) => "cascade: " + string.Join("; ", steps.Append(next));

    private static string Format(double value) => double.IsNaN(value) ? "n/a" : value.ToString("F3", CultureInfo.InvariantCulture);
}
