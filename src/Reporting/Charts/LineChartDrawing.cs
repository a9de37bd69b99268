using ScottPlot;
using ScottPlot.TickGenerators;

namespace MnistClaims.Reporting.Charts;

/// <summary>A <see cref="LineChart"/> as a ScottPlot plot: each series a line, a marker set or bars; the y data as log10 when the axis is logarithmic.</summary>
internal static class LineChartDrawing
{
    /// <summary>Bars are drawn a little see-through, so grid lines and markers behind them stay visible.</summary>
    const double BarOpacity = 0.85;

    public static Plot Draw(LineChart chart)
    {
        var plot = ChartStyle.NewPlot(chart.Title, chart.XLabel, chart.YLabel);
        foreach (var s in chart.Series)
        {
            var (xs, ys) = Drawable(s.Data, chart.LogY);
            if (xs.Length > 0) Add(plot, s, xs, ys);
        }
        SetLimits(plot, chart);
        if (chart.Series.Any(s => s.Title is not null)) LegendBelow(plot);
        ChartStyle.Finish(plot);
        return plot;
    }

    /// <summary>The finite points of a series (and on a log axis only y &gt; 0, as log10 y).</summary>
    static (double[] X, double[] Y) Drawable(XY data, bool logY)
    {
        var xs = new List<double>(data.Count); var ys = new List<double>(data.Count);
        for (int i = 0; i < data.Count; i++)
        {
            double x = data.X[i], y = data.Y[i];
            if (!double.IsFinite(x) || !double.IsFinite(y) || (logY && y <= 0)) continue;
            xs.Add(x); ys.Add(logY ? Math.Log10(y) : y);
        }
        return ([.. xs], [.. ys]);
    }

    static void Add(Plot plot, PlotSeries s, double[] xs, double[] ys)
    {
        var color = ChartStyle.Parse(s.Color, s.Transparency);
        var legend = s.Title ?? "";
        switch (s.Style)
        {
            case PlotStyle.Bars:
                var bars = plot.Add.Bars(xs.Zip(ys, (x, y) => new Bar
                {
                    Position = x, Value = y, Size = s.BarWidth, FillColor = color.WithOpacity(color.Opacity * BarOpacity), LineWidth = 0,
                }).ToArray());
                bars.LegendText = legend;
                break;
            case PlotStyle.Points:
                var markers = plot.Add.Markers(xs, ys, Shape(s.Marker), (float)s.MarkerSize, color);
                markers.MarkerLineWidth = (float)s.Width;
                markers.LegendText = legend;
                break;
            default:
                var line = plot.Add.Scatter(xs, ys, color);
                line.LineWidth = (float)s.Width;
                line.LinePattern = s.Dashed ? LinePattern.Dashed : LinePattern.Solid;
                line.MarkerShape = s.Style == PlotStyle.LinesPoints ? Shape(s.Marker) : MarkerShape.None;
                line.MarkerSize = s.Style == PlotStyle.LinesPoints ? (float)s.MarkerSize : 0;
                line.LegendText = legend;
                break;
        }
    }

    static MarkerShape Shape(Marker m) => m switch
    {
        Marker.Circle => MarkerShape.FilledCircle,
        Marker.Triangle => MarkerShape.FilledTriangleUp,
        Marker.Cross => MarkerShape.Eks,
        _ => throw new ArgumentOutOfRangeException(nameof(m), m, null),
    };

    /// <summary>Limits from the data (with ScottPlot's margins) unless the chart fixes them; then the ticks for those limits.</summary>
    static void SetLimits(Plot plot, LineChart chart)
    {
        plot.Axes.AutoScale();
        var auto = plot.Axes.GetLimits();
        double Y(double? v, double fallback) => v is not double d ? fallback : chart.LogY ? Math.Log10(d) : d;
        double left = chart.XMin ?? auto.Left, right = chart.XMax ?? auto.Right;
        double bottom = Y(chart.YMin, auto.Bottom), top = Y(chart.YMax, auto.Top);
        plot.Axes.SetLimits(left, right, bottom, top);
        if (chart.IntegerX)
            plot.Axes.Bottom.TickGenerator = right - left <= 20 ? new NumericFixedInterval(1) : new NumericAutomatic { IntegerTicksOnly = true };
        if (chart.LogY) plot.Axes.Left.TickGenerator = LogTicks.For(bottom, top);
    }

    static void LegendBelow(Plot plot)
    {
        plot.ShowLegend(Edge.Bottom);
        plot.Legend.Orientation = Orientation.Horizontal;
        plot.Legend.OutlineWidth = 0;
        plot.Legend.ShadowColor = Colors.Transparent;
    }
}
