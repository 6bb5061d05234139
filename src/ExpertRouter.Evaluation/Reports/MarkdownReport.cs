using System.Text;
using ExpertRouter.Evaluation.Harness;
using static ExpertRouter.Evaluation.Reports.ReportFormat;

namespace ExpertRouter.Evaluation.Reports;

/// <summary>The Markdown report of one pool's evaluation (what evals/README.md quotes).</summary>
public static class MarkdownReport
{
    public static string Render(PoolEvaluation evaluation, string command, string? plotFile, DomainShiftTable? shift = null)
    {
        var singles = evaluation.Singles;
        var md = new StringBuilder();
        md.AppendLine($"## {evaluation.PoolName}: {evaluation.TrainPrompts} train prompts, {evaluation.TestPrompts} test prompts");
        md.AppendLine();
        md.AppendLine($"Command: `{command}`");
        md.AppendLine();
        if (evaluation.OffPolicy)
        {
            md.AppendLine(OffPolicyNote(evaluation.TestPrompts));
            md.AppendLine();
        }

        md.AppendLine($"Best single expert (highest train mean): **{singles.Best.Expert.Id}**, test score {F(singles.Best.Point.Score)} " +
            $"at {Money(singles.Best.Point.CostPer1K)} per 1k requests. Strong/weak pair for APGR/CPT: " +
            $"{singles.Experts[singles.StrongIndex].Expert.Id} / {singles.Experts[singles.WeakIndex].Expert.Id}. " +
            $"AIQ window: {Money(singles.MinCostPer1K)} – {Money(singles.MaxCostPer1K)} per 1k (cheapest to dearest single expert). " +
            $"{evaluation.Lambdas.Count} λ settings.");
        md.AppendLine();
        AppendTable(md, ReportTables.RouterHeaderFor(evaluation), ReportTables.RouterRows(evaluation));
        md.AppendLine();
        if (plotFile is not null)
        {
            md.AppendLine($"![quality–cost curves]({plotFile})");
            md.AppendLine();
        }

        if (shift is not null)
        {
            md.AppendLine(DomainShiftReport.Render(shift));
        }

        md.AppendLine("### Single experts");
        md.AppendLine();
        AppendTable(md, ReportTables.ExpertHeaderFor(evaluation), ReportTables.ExpertRows(evaluation));
        md.AppendLine();
        md.AppendLine(Legend);
        return md.ToString();
    }

    public const string Legend =
        "AIQ: mean of the router's non-decreasing convex hull (score vs USD per 1k requests, linear cost axis) over the " +
        "window from the cheapest to the dearest single expert's cost; 0 below the router's cheapest setting, flat " +
        "after its best. Cost to match best: cheapest hull point scoring at least the best single expert, as a " +
        "fraction of that expert's cost (hull interpolated: a random mix of two settings). APGR/CPT: RouteLLM's metrics " +
        "for the strong/weak pair, ranking prompts by the router's predicted quality gap. Fallback: share of decisions " +
        "whose chosen expert had no recorded outcome, so the next-ranked expert with one was scored. CIs: 95% " +
        "percentile bootstrap over test prompts.";

    /// <summary>What the reader of an off-policy report must know before reading a number of it.</summary>
    public static string OffPolicyNote(int records) =>
        $"**Off-policy estimates, not replays.** The test set is {records} logged exploration records (bandit feedback: " +
        "each holds the judge's scores of the served answer and of the explored experts' answers only). Every score and " +
        "cost below is a self-normalised inverse-propensity estimate (SNIPS): a record counts, weighted by 1 / the " +
        "logged probability of observing the chosen expert's outcome (the sampling rate, times the selection " +
        "probability for an explored expert), only when that outcome was logged. 'unobserved' is the share of decisions " +
        "whose outcome was not logged; 'ESS' is the estimate's effective sample size ((Σw)² / Σw², mean over settings). " +
        "No bootstrap intervals and no APGR/CPT are reported for estimates.";

    internal static void AppendTable(StringBuilder md, IReadOnlyList<string> header, IEnumerable<string[]> rows)
    {
        md.AppendLine("| " + string.Join(" | ", header) + " |");
        md.AppendLine("|" + string.Concat(header.Select(_ => "---|")));
        foreach (var row in rows)
        {
            md.AppendLine("| " + string.Join(" | ", row) + " |");
        }
    }
}
