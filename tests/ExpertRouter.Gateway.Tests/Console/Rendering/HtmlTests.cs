using ExpertRouter.Gateway.Console.Rendering;

namespace ExpertRouter.Gateway.Tests.Console.Rendering;

public sealed class HtmlTests
{
    [Fact]
    public void Add_EncodesEveryHole_AndKeepsTheLiterals()
    {
        var tenant = "<script>alert('x')</script>";
        var html = new Html();

        html.Add($"<td title=\"{tenant}\">{tenant} {3.5:0.0} {(int?)null}</td>");

        var text = html.ToString();
        Assert.StartsWith("<td title=\"", text);
        Assert.DoesNotContain("<script>", text);
        Assert.DoesNotContain("'x'", text);
        Assert.Contains("&lt;script&gt;", text);
        Assert.Contains(" 3.5 ", text);
        Assert.EndsWith("</td>", text);
    }

    [Fact]
    public void Add_LeavesNonAsciiText_AsItIs()
    {
        var html = new Html();

        html.Add($"<td>{"quality − λ·cost, Zürich"}</td>");

        Assert.Equal("<td>quality − λ·cost, Zürich</td>", html.ToString());
    }

    [Fact]
    public void Markup_FromAnotherBuilder_IsNotEncodedTwice()
    {
        var inner = new Html();
        inner.Add($"<b>{"a&b"}</b>");
        var outer = new Html();

        outer.Add($"<p>{Markup.Of(inner)}</p>");

        Assert.Equal("<p><b>a&amp;b</b></p>", outer.ToString());
    }

    [Fact]
    public void SvgPlot_IsAnImageWithATitle_AndEncodesLabels()
    {
        var plot = new SvgPlot("p", "Spend <per> minute", "desc").Points("series", [(1, 2, "<tenant>"), (2, 3, null)]).Render();

        Assert.Contains("role=\"img\"", plot.Value);
        Assert.Contains("<title id=\"p-t\">Spend &lt;per&gt; minute</title>", plot.Value);
        Assert.Contains("&lt;tenant&gt;", plot.Value);
        Assert.DoesNotContain("<tenant>", plot.Value);
    }

    [Fact]
    public void SvgPlot_WithoutData_SaysSo()
    {
        Assert.Contains("No data yet", new SvgPlot("p", "t", "d").Line("x", []).Render().Value);
    }

    [Fact]
    public void SvgPlot_WithAnXDomain_SpansItEvenForOnePoint()
    {
        var plot = new SvgPlot("p", "t", "d") { XDomain = (0, 30), XLabel = x => "m" + x }.Line("x", [(15, 1)]).Render();

        Assert.Contains(">m0<", plot.Value);
        Assert.Contains(">m30<", plot.Value);
        Assert.Contains(">m15<", plot.Value);
    }

    [Fact]
    public void SvgPlot_LastXLabel_EndsAtTheAxis_SoItStaysInsideThePlot()
    {
        var plot = new SvgPlot("p", "t", "d") { XDomain = (0, 30), XLabel = x => "m" + x }.Line("x", [(15, 1)]).Render().Value;

        Assert.Matches("text-anchor=\"end\">m30<", plot);
        Assert.Matches("text-anchor=\"middle\">m0<", plot);
    }
}
