using System.Globalization;
using System.Text;
using ExpertRouter.Core.Ensembles;

namespace ExpertRouter.Evaluation.Ensembles;

/// <summary>Markdown tables of an ensemble evaluation: every setting against single routing at the same cost.</summary>
public static class EnsembleReport
{
    public static string Markdown(IEnumerable<EnsembleEvaluation> evaluations)
    {
        var text = new StringBuilder();
        foreach (var evaluation in evaluations)
        {
            Section(text, evaluation);
        }

        return text.ToString();
    }

    private static void Section(StringBuilder text, EnsembleEvaluation evaluation)
    {
        var best = evaluation.SingleRoutingHull.Best;
        text.AppendLine(Invariant($"### {evaluation.Name} ({evaluation.Prompts} prompts, extractor {evaluation.Extractor})"));
        text.AppendLine();
        text.AppendLine(Invariant($"Single routing (λ sweep, upper hull): {evaluation.SingleRoutingHull.Cheapest.Score:F4} at ${evaluation.SingleRoutingHull.Cheapest.CostPer1K:F3}/1k … {best.Score:F4} at ${best.CostPer1K:F3}/1k."));
        text.AppendLine();
        text.AppendLine("| mode | k | margin | λ | fan-out share | calls/prompt | answers extracted | quality | USD/1k | single routing at same cost | Δ quality | single routing USD/1k for same quality |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in evaluation.Results)
        {
            var s = r.Setting;
            var margin = s.Mode == EnsembleMode.FanOut ? s.Margin.ToString("0.###", CultureInfo.InvariantCulture) : "-";
            text.AppendLine(Invariant(
                $"| {Mode(s.Mode)} | {s.K} | {margin} | {Lambda(s.Lambda)} | {r.FanOutShare:P0} | {r.MeanCalls:F2} | {r.ExtractedShare:P0} | {r.Point.Score:F4} | {r.Point.CostPer1K:F3} | {Number(r.SingleAtSameCost)} | {Signed(r.GainOverSingle)} | {Cost(r.SingleCostForSameQuality)} |"));
        }

        text.AppendLine();
    }

    private static string Mode(EnsembleMode? mode) => mode switch
    {
        null => "single",
        EnsembleMode.FanOut => "fan-out",
        _ => mode.Value.ToString().ToLowerInvariant(),
    };

    private static string Lambda(double lambda) => lambda.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Number(double value) => double.IsNaN(value) ? "n/a" : value.ToString("F4", CultureInfo.InvariantCulture);

    private static string Cost(double? value) => value is { } v ? v.ToString("F3", CultureInfo.InvariantCulture) : "unreachable";

    private static string Signed(double value) => double.IsNaN(value) ? "n/a" : value.ToString("+0.0000;-0.0000;0.0000", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
