using System.Net;
using System.Text;
using ExpertRouter.Evaluation.Harness;

namespace ExpertRouter.Evaluation.Reports;

/// <summary>A self-contained HTML page: the tables, the plot, and every router's sweep.</summary>
public static class HtmlReport
{
    public static string Render(PoolEvaluation evaluation, string command, string? plotFile, DomainShiftTable? shift = null)
    {
        var html = new StringBuilder();
        html.AppendLine("<!doctype html><html><head><meta charset=\"utf-8\">");
        html.AppendLine($"<title>{Encode(evaluation.PoolName)} routing evaluation</title>");
        html.AppendLine("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}" +
            "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}</style>");
        html.AppendLine("</head><body>");
        html.AppendLine($"<h1>{Encode(evaluation.PoolName)}: {evaluation.TrainPrompts} train / {evaluation.TestPrompts} test prompts</h1>");
        html.AppendLine($"<p><code>{Encode(command)}</code></p>");
        if (evaluation.OffPolicy)
        {
            html.AppendLine($"<p>{Encode(MarkdownReport.OffPolicyNote(evaluation.TestPrompts))}</p>");
        }

        Table(html, ReportTables.RouterHeaderFor(evaluation), ReportTables.RouterRows(evaluation));
        if (plotFile is not null)
        {
            html.AppendLine($"<img src=\"{Encode(plotFile)}\" alt=\"quality-cost curves\" width=\"960\">");
        }

        if (shift is not null)
        {
            html.AppendLine("<h2>In-domain vs out-of-domain</h2>");
            Table(html, DomainShiftReport.Header(shift), DomainShiftReport.Rows(shift));
        }

        html.AppendLine("<h2>Single experts</h2>");
        Table(html, ReportTables.ExpertHeaderFor(evaluation), ReportTables.ExpertRows(evaluation));
        html.AppendLine($"<p>{Encode(MarkdownReport.Legend)}</p>");
        foreach (var router in evaluation.Routers)
        {
            html.AppendLine($"<details><summary>{Encode(router.Router)}: sweep</summary>");
            Table(html, ["setting", "λ", "USD / 1k", "score"], ReportTables.SweepRows(router));
            html.AppendLine("</details>");
        }

        html.AppendLine("</body></html>");
        return html.ToString();
    }

    private static void Table(StringBuilder html, IReadOnlyList<string> header, IEnumerable<string[]> rows)
    {
        html.Append("<table><tr>");
        foreach (var h in header)
        {
            html.Append("<th>").Append(Encode(h)).Append("</th>");
        }

        html.AppendLine("</tr>");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            foreach (var cell in row)
            {
                html.Append("<td>").Append(Encode(cell)).Append("</td>");
            }

            html.AppendLine("</tr>");
        }

        html.AppendLine("</table>");
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
