using System.Globalization;
using System.Text;
using ExpertRouter.Evaluation.Harness;

namespace ExpertRouter.Evaluation.Reports;

/// <summary>The cross-validation table (mean ± std over folds) and the per-fold numbers behind it.</summary>
public static class CrossValidationReport
{
    public static string Markdown(CrossValidationResult result, string command)
    {
        var text = new StringBuilder();
        var folds = result.Cells.Select(c => c.Fold).Distinct().Count();
        text.AppendLine(Invariant($"### {result.PoolName}: {folds}-fold cross-validation over {result.Prompts} prompts (seed {result.Options.Seed})"));
        text.AppendLine();
        text.AppendLine($"Command: `{command}`");
        text.AppendLine();
        var best = result.Cells.Select(c => c.BestExpert).Distinct().ToArray();
        text.AppendLine($"Best single expert (highest train mean) per fold: {string.Join(", ", best)}. Mean ± standard deviation over folds; " +
            "cost to match counts a fold that never matches as 100% (the number of such folds in brackets).");
        text.AppendLine();
        var strongest = result.StrongestBaseline();
        var delta = strongest is null ? "" : $" Δ AIQ vs {strongest} (paired by fold) |";
        text.AppendLine($"| router | AIQ | quality at ½ best's cost | cost to match best | APGR | train s |{delta}");
        text.AppendLine("|---|---|---|---|---|---|" + (strongest is null ? "" : "---|"));
        foreach (var s in result.Summaries())
        {
            var never = s.FoldsNeverMatching > 0 ? Invariant($" ({s.FoldsNeverMatching} never)") : "";
            text.Append(Invariant($"| {s.Router} | {s.Aiq.Mean:F4} ± {s.Aiq.Std:F4} | {s.QualityAtHalfBestCost.Mean:F4} ± {s.QualityAtHalfBestCost.Std:F4} | "));
            text.Append(Invariant($"{s.CostToMatchBest.Mean:P1} ± {s.CostToMatchBest.Std:P1}{never} | {s.Apgr.Mean:F3} ± {s.Apgr.Std:F3} | {s.TrainSeconds.Mean:F1} |"));
            if (strongest is not null)
            {
                var d = result.PairedAiqDifference(s.Router, strongest);
                text.Append(Invariant($" {d.Mean:+0.0000;-0.0000;0.0000} ± {d.Std:F4} |"));
            }

            text.AppendLine();
        }

        return text.ToString();
    }

    public static string FoldsCsv(CrossValidationResult result)
    {
        var csv = new StringBuilder("fold,router,train_prompts,test_prompts,best_expert,aiq,quality_at_half_best_cost,cost_to_match_best,apgr,train_s\n");
        foreach (var c in result.Cells)
        {
            csv.AppendLine(Invariant(
                $"{c.Fold},{c.Router},{c.TrainPrompts},{c.TestPrompts},{c.BestExpert},{c.Aiq:R},{c.QualityAtHalfBestCost:R},{(c.CostToMatchBest is { } m ? m.ToString("R", CultureInfo.InvariantCulture) : "never")},{c.Apgr:R},{c.TrainSeconds:F2}"));
        }

        return csv.ToString();
    }

    public static void Write(string folder, CrossValidationResult result, string command)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "cv.md"), Markdown(result, command));
        File.WriteAllText(Path.Combine(folder, "cv-folds.csv"), FoldsCsv(result));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
