using System.Globalization;
using System.Text;
using ExpertRouter.Evaluation.Harness;

namespace ExpertRouter.Evaluation.Reports;

/// <summary>Writes every artefact of one evaluation into a results folder.</summary>
public static class ReportWriter
{
    public const string PlotName = "quality-cost";

    public static void Write(string folder, PoolEvaluation evaluation, DomainShiftTable? shift, string command)
    {
        Directory.CreateDirectory(folder);
        QualityCostPlot.Save(evaluation, Path.Combine(folder, PlotName));
        File.WriteAllText(Path.Combine(folder, "report.md"), MarkdownReport.Render(evaluation, command, PlotName + ".svg", shift));
        File.WriteAllText(Path.Combine(folder, "report.html"), HtmlReport.Render(evaluation, command, PlotName + ".svg", shift));
        File.WriteAllText(Path.Combine(folder, "points.csv"), PointsCsv(evaluation));
        File.WriteAllText(Path.Combine(folder, "routers.csv"), RoutersCsv(evaluation));
    }

    /// <summary>
    /// Every router's headline figures at full precision (the report rounds them to three places), for scripts that
    /// pool results over folds: router, AIQ, cost to match the best expert (empty: never), score at its cost, APGR.
    /// </summary>
    public static string RoutersCsv(PoolEvaluation evaluation)
    {
        var csv = new StringBuilder("router,aiq,cost_to_match_best,score_at_best_cost,apgr\n");
        foreach (var r in evaluation.Routers)
        {
            csv.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{r.Router},{r.Aiq:R},{r.CostToMatchBest:R},{r.QualityAtBestCost:R},{r.Apgr:R}"));
        }

        return csv.ToString();
    }

    /// <summary>Every router's sweep and every single expert: router, setting, lambda, cost per 1k, score.</summary>
    public static string PointsCsv(PoolEvaluation evaluation)
    {
        var csv = new StringBuilder("router,setting,lambda,usd_per_1k,score\n");
        foreach (var router in evaluation.Routers)
        {
            foreach (var s in router.Sweep.Settings)
            {
                csv.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{router.Router},{s.Index},{s.Lambda:R},{s.Point.CostPer1K:R},{s.Point.Score:R}"));
            }
        }

        foreach (var single in evaluation.Singles.Experts)
        {
            csv.AppendLine(string.Create(CultureInfo.InvariantCulture, $"single:{single.Expert.Id},0,,{single.Point.CostPer1K:R},{single.Point.Score:R}"));
        }

        return csv.ToString();
    }
}
