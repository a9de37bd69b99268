using MnistClaims.Reporting.Charts;

namespace MnistClaims.Tests.Unit.Reporting.Charts;

[TestFixture]
public class ChartRendererTests
{
    static XY Line(params double[] ys) => new(ys.Select((_, i) => (double)i + 1).ToArray(), ys);

    static LineChart Chart(params PlotSeries[] series) =>
        new("c", "e1: accuracy per epoch", "epoch", "accuracy (fraction)", series) { IntegerX = true, Width = 700, Height = 460 };

    [Test]
    public void LineChart_HasItsTitleAxisLabelsAndOneLegendEntryPerTitledSeries()
    {
        var svg = new SvgChart(ChartRenderer.Svg(Chart(
            new PlotSeries("train accuracy (2 seeds)", Line(0.90, 0.95, 0.97), "#1f77b4"),
            new PlotSeries(null, Line(0.91, 0.95, 0.98), "#1f77b4"),
            new PlotSeries("test accuracy", Line(0.89, 0.94, 0.96), "#2ca02c", PlotStyle.LinesPoints) { MarkerSize = 4 },
            new PlotSeries(null, Line(0.5, 0.6, 0.7), "#d62728"))));
        Assert.Multiple(() =>
        {
            Assert.That(svg.Texts, Does.Contain("e1: accuracy per epoch"));
            Assert.That(svg.Texts, Does.Contain("epoch"));
            Assert.That(svg.Texts, Does.Contain("accuracy (fraction)"));
            Assert.That(svg.Texts, Does.Contain("train accuracy (2 seeds)"));
            Assert.That(svg.Texts, Does.Contain("test accuracy"));
            Assert.That(svg.Y("test accuracy"), Is.GreaterThan(svg.Y("epoch")), "the legend sits under the plot, not over the data");
            Assert.That(svg.Stroked("#1f77b4"), Is.EqualTo(3), "both seeds' lines and one legend sample");
            Assert.That(svg.Stroked("#d62728"), Is.EqualTo(1), "an untitled series is drawn but has no legend entry");
            Assert.That(svg.Filled("#2ca02c"), Is.EqualTo(3 + 1), "lines-and-points: a marker per point, and one in the legend");
            Assert.That(svg.Texts, Is.SupersetOf(new[] { "1", "2", "3" }), "integer epoch ticks");
            Assert.That(svg.Texts, Does.Not.Contain("1.5"));
        });
    }

    [Test]
    public void DocumentPoints_AreOneMarkerEachOverTheCurves()
    {
        var doc = new XY([1, 2, 3, 4, 5], [0.9, double.NaN, 0.95, 0.96, 0.97]);
        var svg = new SvgChart(ChartRenderer.Svg(Chart(
            new PlotSeries("ours", Line(0.90, 0.94, 0.95, 0.96, 0.975), "#1f77b4"),
            new PlotSeries("train accuracy: document", doc, "#0b3c66", PlotStyle.Points) { Marker = Marker.Triangle, MarkerSize = 10 })));
        Assert.That(svg.Filled("#0b3c66"), Is.EqualTo(4 + 1), "the four finite points and the legend's sample");
        Assert.That(svg.Texts, Does.Contain("train accuracy: document"));
    }

    [Test]
    public void Bars_AreOneRectangleEachAndCrossesOneStrokeEach()
    {
        var x = Enumerable.Range(0, 10).Select(c => c - 0.2).ToArray();
        var share = Enumerable.Range(0, 10).Select(c => 9.5 + c % 3).ToArray();
        var svg = new SvgChart(ChartRenderer.Svg(new LineChart("classes", "MNIST class distribution", "digit class", "share of the set (%)", [
            new PlotSeries("train set", new XY(x, share), "#1f77b4", PlotStyle.Bars) { BarWidth = 0.38 },
            new PlotSeries("document's table", new XY(x, share), "#111111", PlotStyle.Points) { Marker = Marker.Cross, MarkerSize = 11, Width = 2 },
        ]) { IntegerX = true, XMin = -0.6, XMax = 9.6, YMin = 0 }));
        Assert.That(svg.Filled("#1f77b4"), Is.EqualTo(10 + 1));
        Assert.That(svg.Stroked("#111111"), Is.EqualTo(10 + 1));
        Assert.That(svg.Texts, Is.SupersetOf(Enumerable.Range(0, 10).Select(c => c.ToString())), "a tick per class");
    }

    [Test]
    public void LogAxis_SpacesDecadesEvenlyAndSkipsValuesThatAreNotPositive()
    {
        var chart = new LineChart("log", "e1: training loss per step", "epoch (steps / steps per epoch)", "batch loss (log scale)",
            [new PlotSeries("seed 1", new XY([10, 11, 12, 13, 14], [1, 0.1, 0, -1, 0.01]), "#1f77b4")]) { LogY = true };   // x ticks 10..14: no tick label reads like a y label
        var svg = new SvgChart(ChartRenderer.Svg(chart));
        Assert.That(svg.Texts, Is.SupersetOf(new[] { "0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1" }), "1-2-5 ticks over two decades");
        double decade1 = svg.Y("0.01") - svg.Y("0.1"), decade2 = svg.Y("0.1") - svg.Y("1");
        Assert.That(decade1, Is.GreaterThan(20));
        Assert.That(decade2, Is.EqualTo(decade1).Within(0.5), "equal pixel distance per decade");
        Assert.That(svg.Y("0.02") - svg.Y("0.05"), Is.EqualTo(decade1 * Math.Log10(2.5)).Within(0.5));
    }

    [Test]
    public void LogAxis_OverManyDecadesLabelsThePowersOfTen()
    {
        var ys = new[] { 10, 1, 1e-2, 1e-4, 2e-5 };
        var svg = new SvgChart(ChartRenderer.Svg(new LineChart("log", "t", "x", "y", [new PlotSeries("a", new XY([0, 1, 2, 3, 4], ys), "#1f77b4")]) { LogY = true }));
        Assert.That(svg.Texts, Is.SupersetOf(new[] { "0.0001", "0.001", "0.01", "0.1", "1", "10" }));
        Assert.That(svg.Texts, Does.Not.Contain("0.02").And.Not.Contain("5"));
    }

    [Test]
    public void Heatmap_PrintsEachNonZeroCountWithTheFirstRowOnTop()
    {
        var counts = new long[,] { { 950, 0, 3 }, { 12, 880, 0 }, { 0, 41, 7 } };
        var svg = new SvgChart(ChartRenderer.Svg(new Heatmap("cm", "e1 seed 1: confusion matrix", counts) { Width = 620, Height = 560 }));
        Assert.Multiple(() =>
        {
            foreach (var c in new[] { "950", "3", "12", "880", "41", "7" }) Assert.That(svg.Texts.Count(t => t == c), Is.EqualTo(1), c);
            Assert.That(svg.Texts, Is.SupersetOf(new[] { "e1 seed 1: confusion matrix", "predicted class", "true class", "count (log scale)" }));
            Assert.That(svg.Texts.Count(t => t == "0"), Is.EqualTo(3), "zero cells are left blank: the 0s are the two axes' first tick and the colour bar's");
            Assert.That(svg.Texts, Does.Contain("100").And.Not.Contain("1000"), "colour bar ticks up to the largest count");
            Assert.That(svg.Y("950"), Is.LessThan(svg.Y("880")), "row 0 (true class 0) at the top");
            Assert.That(svg.Y("880"), Is.LessThan(svg.Y("7")));
        });
    }

    [Test]
    public void Svg_DependsOnlyOnTheChart()
    {
        var a = Chart(new PlotSeries("a", Line(0.1, 0.5, 0.9), "#1f77b4"));
        var cm = new Heatmap("cm", "t", new long[,] { { 5, 1 }, { 0, 9 } });
        var first = ChartRenderer.Svg(a);
        ChartRenderer.Svg(cm);
        var again = new string[8];
        Parallel.For(0, again.Length, i => again[i] = ChartRenderer.Svg(i % 2 == 0 ? a : cm));
        Assert.That(again.Where((_, i) => i % 2 == 0), Is.All.EqualTo(first), "clip-path ids do not depend on what was drawn before");
        Assert.That(again.Where((_, i) => i % 2 == 1).Distinct().Count(), Is.EqualTo(1));
    }

    [Test]
    public void RenderAll_WritesEachChartAndSaysWhyOthersWereNotDrawn()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"mnist-claims-charts-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            var good = Chart(new PlotSeries("a", Line(0.1, 0.5), "#1f77b4")) with { Name = "good" };
            var empty = Chart(new PlotSeries("a", XY.Empty, "#1f77b4")) with { Name = "empty" };
            var bad = Chart(new PlotSeries("a", Line(0.1, 0.5), "blue")) with { Name = "bad" };
            var failures = ChartRenderer.RenderAll([good, empty, bad], dir);
            Assert.That(Directory.GetFiles(dir).Select(Path.GetFileName), Is.EqualTo(new[] { "good.svg" }));
            Assert.That(failures.Keys, Is.EquivalentTo(new[] { "empty", "bad" }));
            Assert.That(failures["empty"], Is.EqualTo(ChartRenderer.NoData));
            Assert.That(failures["bad"], Does.Contain("colour 'blue'"));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
