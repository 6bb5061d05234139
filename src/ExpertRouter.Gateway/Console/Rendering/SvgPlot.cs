using System.Globalization;

namespace ExpertRouter.Gateway.Console.Rendering;

/// <summary>
/// A small inline SVG chart: lines, labelled points and bars over numeric axes, drawn on the server so the console
/// needs no charting script and no network. Each chart is an image with a title and a description for screen
/// readers; the numbers it shows are also on the page as text.
/// </summary>
internal sealed class SvgPlot(string id, string title, string description)
{
    private const double Width = 640;
    private const double Height = 220;
    private const double Left = 56;
    private const double Right = 12;
    private const double Top = 12;
    private const double Bottom = 34;

    /// <summary>Colour-blind-safe (Okabe–Ito), each dark enough to read against white.</summary>
    private static readonly string[] Palette = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#8a6d00", "#56b4e9", "#000000"];

    private readonly List<Series> _series = [];

    public Func<double, string> XLabel { get; init; } = x => x.ToString("0.##", CultureInfo.InvariantCulture);

    public Func<double, string> YLabel { get; init; } = y => y.ToString("0.###", CultureInfo.InvariantCulture);

    public string XTitle { get; init; } = "";

    public string YTitle { get; init; } = "";

    /// <summary>The x axis's range when it should not follow the data: a time window with few busy minutes.</summary>
    public (double Min, double Max)? XDomain { get; init; }

    /// <summary>Start the y axis at zero (counts, money) rather than at the data's minimum (quality).</summary>
    public bool YFromZero { get; init; } = true;

    public SvgPlot Line(string name, IEnumerable<(double X, double Y)> points)
    {
        _series.Add(new Series(name, SeriesKind.Line, [.. points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).Select(p => new Point(p.X, p.Y, null))]));
        return this;
    }

    public SvgPlot Points(string name, IEnumerable<(double X, double Y, string? Label)> points)
    {
        _series.Add(new Series(name, SeriesKind.Points, [.. points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).Select(p => new Point(p.X, p.Y, p.Label))]));
        return this;
    }

    public SvgPlot Bars(string name, IEnumerable<(double X, double Y)> points)
    {
        _series.Add(new Series(name, SeriesKind.Bars, [.. points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).Select(p => new Point(p.X, p.Y, null))]));
        return this;
    }

    public Markup Render()
    {
        var html = new Html();
        html.Add($"<figure class=\"plot\"><svg id=\"{id}\" viewBox=\"0 0 640 220\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" xmlns=\"http://www.w3.org/2000/svg\">");
        html.Add($"<title id=\"{id}-t\">{title}</title><desc id=\"{id}-d\">{description}</desc>");
        var all = _series.SelectMany(s => s.Points).ToArray();
        if (all.Length == 0)
        {
            html.Add($"<text x=\"320\" y=\"110\" text-anchor=\"middle\" class=\"muted\">No data yet</text></svg><figcaption>{title}</figcaption></figure>");
            return Markup.Of(html);
        }

        var (xMin, xMax) = XDomain is { } domain && domain.Max > domain.Min
            ? domain
            : Range(all.Select(p => p.X), padBars: _series.Any(s => s.Kind == SeriesKind.Bars));
        var (yMin, yMax) = Range(all.Select(p => p.Y).Append(YFromZero ? 0 : double.NaN).Where(double.IsFinite), padBars: false);
        if (!YFromZero)
        {
            var pad = (yMax - yMin) * 0.08;
            (yMin, yMax) = (yMin - pad, yMax + pad);
        }

        double Sx(double x) => Left + ((x - xMin) / (xMax - xMin) * (Width - Left - Right));
        double Sy(double y) => Height - Bottom - ((y - yMin) / (yMax - yMin) * (Height - Top - Bottom));

        Axes(html, xMin, xMax, yMin, yMax, Sx, Sy);
        for (var s = 0; s < _series.Count; s++)
        {
            DrawSeries(html, _series[s], Palette[s % Palette.Length], Sx, Sy, xMin);
        }

        html.Add($"</svg><figcaption>{title}");
        if (_series.Count > 1 || _series.Any(s => s.Kind == SeriesKind.Points))
        {
            html.Add($"<span class=\"legend\">");
            for (var s = 0; s < _series.Count; s++)
            {
                html.Add($"<span class=\"key\"><svg width=\"12\" height=\"12\" aria-hidden=\"true\"><rect width=\"12\" height=\"12\" fill=\"{Palette[s % Palette.Length]}\"/></svg> {_series[s].Name}</span>");
            }

            html.Add($"</span>");
        }

        html.Add($"</figcaption></figure>");
        return Markup.Of(html);
    }

    private void Axes(Html html, double xMin, double xMax, double yMin, double yMax, Func<double, double> sx, Func<double, double> sy)
    {
        for (var i = 0; i <= 4; i++)
        {
            var y = yMin + ((yMax - yMin) * i / 4);
            html.Add($"<line class=\"grid\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{sy(y):0.#}\" y2=\"{sy(y):0.#}\"/>");
            html.Add($"<text class=\"tick\" x=\"{Left - 4}\" y=\"{sy(y) + 4:0.#}\" text-anchor=\"end\">{YLabel(y)}</text>");
        }

        for (var i = 0; i <= 4; i++)
        {
            var x = xMin + ((xMax - xMin) * i / 4);
            // The last label ends at the axis' end, or it would run past the plot's right edge.
            var anchor = i == 4 ? "end" : "middle";
            html.Add($"<text class=\"tick\" x=\"{sx(x):0.#}\" y=\"{Height - Bottom + 16}\" text-anchor=\"{anchor}\">{XLabel(x)}</text>");
        }

        html.Add($"<line class=\"axis\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Height - Bottom}\" y2=\"{Height - Bottom}\"/>");
        html.Add($"<line class=\"axis\" x1=\"{Left}\" x2=\"{Left}\" y1=\"{Top}\" y2=\"{Height - Bottom}\"/>");
        if (XTitle.Length > 0)
        {
            html.Add($"<text class=\"tick\" x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 4}\" text-anchor=\"middle\">{XTitle}</text>");
        }

        if (YTitle.Length > 0)
        {
            html.Add($"<text class=\"tick\" x=\"12\" y=\"{(Top + Height - Bottom) / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 12 {(Top + Height - Bottom) / 2})\">{YTitle}</text>");
        }
    }

    private static void DrawSeries(Html html, Series series, string color, Func<double, double> sx, Func<double, double> sy, double xMin)
    {
        switch (series.Kind)
        {
            case SeriesKind.Line when series.Points.Count > 1:
                html.Add($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"");
                foreach (var p in series.Points.OrderBy(p => p.X))
                {
                    html.Add($"{sx(p.X):0.#},{sy(p.Y):0.#} ");
                }

                html.Add($"\"/>");
                break;
            case SeriesKind.Line:
            case SeriesKind.Points:
                foreach (var p in series.Points)
                {
                    html.Add($"<circle cx=\"{sx(p.X):0.#}\" cy=\"{sy(p.Y):0.#}\" r=\"5\" fill=\"{color}\"><title>{p.Label ?? series.Name}</title></circle>");
                    if (p.Label is { } label)
                    {
                        html.Add($"<text class=\"tick\" x=\"{sx(p.X) + 7:0.#}\" y=\"{sy(p.Y) - 7:0.#}\">{label}</text>");
                    }
                }

                break;
            case SeriesKind.Bars:
                var step = series.Points.Count > 1 ? series.Points.OrderBy(p => p.X).Zip(series.Points.OrderBy(p => p.X).Skip(1), (a, b) => b.X - a.X).Where(d => d > 0).DefaultIfEmpty(1).Min() : 1;
                var width = Math.Max(2, (sx(xMin + step) - sx(xMin)) * 0.7);
                foreach (var p in series.Points)
                {
                    var top = sy(Math.Max(0, p.Y));
                    html.Add($"<rect x=\"{sx(p.X) - (width / 2):0.#}\" y=\"{top:0.#}\" width=\"{width:0.#}\" height=\"{Math.Max(0, sy(0) - top):0.#}\" fill=\"{color}\"><title>{series.Name}</title></rect>");
                }

                break;
        }
    }

    private static (double Min, double Max) Range(IEnumerable<double> values, bool padBars)
    {
        var list = values.ToArray();
        var min = list.Min();
        var max = list.Max();
        if (padBars)
        {
            var step = list.Length > 1 ? (max - min) / (list.Length - 1) : 1;
            (min, max) = (min - (step * 0.6), max + (step * 0.6));
        }

        if (max - min < 1e-12)
        {
            (min, max) = (min - 0.5 * Math.Max(Math.Abs(min), 1), max + 0.5 * Math.Max(Math.Abs(max), 1));
            if (min < 0 && list.All(v => v >= 0))
            {
                min = 0;
            }
        }

        return (min, max);
    }

    private enum SeriesKind
    {
        Line,
        Points,
        Bars,
    }

    private sealed record Point(double X, double Y, string? Label);

    private sealed record Series(string Name, SeriesKind Kind, IReadOnlyList<Point> Points);
}
