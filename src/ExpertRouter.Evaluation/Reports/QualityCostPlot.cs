using ExpertRouter.Evaluation.Harness;
using ScottPlot;

namespace ExpertRouter.Evaluation.Reports;

/// <summary>
/// Score against USD per 1k requests (log axis): every router's settings as markers joined by its hull, and the
/// single experts as labelled black diamonds. Written as SVG (for the README) and PNG.
/// </summary>
public static class QualityCostPlot
{
    public static void Save(PoolEvaluation evaluation, string pathWithoutExtension, int width = 960, int height = 640)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var index = 0;
        foreach (var router in evaluation.Routers)
        {
            var color = palette.GetColor(index++);
            var points = router.Sweep.Points;
            var markers = plot.Add.ScatterPoints(points.Select(p => Log(p.CostPer1K)).ToArray(), points.Select(p => p.Score).ToArray());
            markers.Color = color;
            markers.MarkerSize = 4;
            var hull = router.Hull.Vertices;
            var line = plot.Add.ScatterLine(hull.Select(p => Log(p.CostPer1K)).ToArray(), hull.Select(p => p.Score).ToArray());
            line.Color = color;
            line.LineWidth = 2;
            line.LegendText = router.Router;
        }

        foreach (var single in evaluation.Singles.Experts)
        {
            var x = Log(single.Point.CostPer1K);
            var marker = plot.Add.Marker(x, single.Point.Score, MarkerShape.FilledDiamond, 7, Colors.Black);
            marker.LegendText = "";
            var label = plot.Add.Text(single.Expert.Id, x, single.Point.Score);
            label.LabelFontSize = 9;
            label.LabelFontColor = Colors.DimGray;
        }

        plot.Title($"{evaluation.PoolName}: quality vs cost ({evaluation.TestPrompts} test prompts)");
        plot.XLabel("USD per 1,000 requests (log scale)");
        plot.YLabel("mean score");
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            LabelFormatter = v => Math.Pow(10, v).ToString("G3", System.Globalization.CultureInfo.InvariantCulture),
        };
        plot.ShowLegend(Alignment.LowerRight);
        plot.SaveSvg(pathWithoutExtension + ".svg", width, height);
        plot.SavePng(pathWithoutExtension + ".png", width, height);
    }

    private static double Log(double cost) => Math.Log10(Math.Max(cost, 1e-6));
}
