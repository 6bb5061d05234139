using System.Text;
using ExpertRouter.Evaluation.Harness;
using static ExpertRouter.Evaluation.Reports.ReportFormat;

namespace ExpertRouter.Evaluation.Reports;

/// <summary>AIQ in-domain (ID) and out-of-domain (OOD) per held-out task, and their means.</summary>
public static class DomainShiftReport
{
    public static string Render(DomainShiftTable table)
    {
        var md = new StringBuilder();
        md.AppendLine("### In-domain vs out-of-domain (AIQ on each held-out task's test prompts)");
        md.AppendLine();
        md.AppendLine("ID: trained on all training tasks; OOD: trained without the held-out task. " +
            "Cost to match is against the best single expert on that task's prompts.");
        md.AppendLine();
        MarkdownReport.AppendTable(md, Header(table), Rows(table));
        md.AppendLine();
        return md.ToString();
    }

    public static IReadOnlyList<string> Header(DomainShiftTable table) =>
        ["router", .. table.Tasks.SelectMany(t => new[] { $"{t} ID", $"{t} OOD", $"{t} cost-to-match ID/OOD" }), "mean ID", "mean OOD"];

    public static IEnumerable<string[]> Rows(DomainShiftTable table) =>
        table.Routers.Select(router =>
        {
            var cells = table.Cells.Where(c => c.Router == router).ToArray();
            var row = new List<string> { router };
            foreach (var task in table.Tasks)
            {
                var cell = cells.Single(c => c.Task == task);
                row.Add(F(cell.InDomainAiq));
                row.Add(F(cell.OutOfDomainAiq));
                row.Add($"{Percent(cell.InDomainCostToMatch)} / {Percent(cell.OutOfDomainCostToMatch)}");
            }

            row.Add(F(cells.Average(c => c.InDomainAiq)));
            row.Add(F(cells.Average(c => c.OutOfDomainAiq)));
            return row.ToArray();
        });
}
