using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace MnistClaims.Reporting.Charts;

/// <summary>
/// A <see cref="Heatmap"/> as square cells (vector rectangles, so they stay sharp at any zoom) coloured by
/// log10(1 + count), each non-zero count printed in its cell, row 0 at the top, and a colour bar whose
/// ticks are the counts 0, 1, 10, 100, ...
/// </summary>
internal static class HeatmapDrawing
{
    static readonly IColormap Palette = new ScottPlot.Colormaps.CustomInterpolated(
        Color.FromHex(["#ffffff", "#fde0c5", "#f59e72", "#c0392b", "#5b0f0f"]));

    /// <summary>Cells darker than this fraction of the colour scale get white counts.</summary>
    const double WhiteTextAbove = 0.6;
    /// <summary>Pixels beside the square: tick labels and axis label on the left, the colour bar on the right, title above, ticks and label below.</summary>
    const float Left = 62, Right = 120, Top = 44, Bottom = 56;

    public static Plot Draw(Heatmap chart)
    {
        var plot = ChartStyle.NewPlot(chart.Title, chart.XLabel, chart.YLabel);
        int rows = chart.Counts.GetLength(0), cols = chart.Counts.GetLength(1);
        long max = 1;
        foreach (var c in chart.Counts) max = Math.Max(max, c);
        double scale = Math.Log10(1 + max);
        for (int t = 0; t < rows; t++)
            for (int p = 0; p < cols; p++)
            {
                long count = chart.Counts[t, p];
                double level = Math.Log10(1 + count) / scale;
                var cell = plot.Add.Rectangle(p - 0.5, p + 0.5, t + 0.5, t - 0.5);
                cell.FillColor = Palette.GetColor(level);
                cell.LineWidth = 0;
                if (count == 0) continue;
                var label = plot.Add.Text(count.ToString(CultureInfo.InvariantCulture), p, t);
                label.Alignment = Alignment.MiddleCenter;
                label.LabelFontSize = ChartStyle.CellSize;
                label.LabelFontColor = Color.FromHex(level > WhiteTextAbove ? "#ffffff" : "#222222");
            }
        plot.Axes.SetLimits(-0.5, cols - 0.5, rows - 0.5, -0.5);   // bottom > top: row 0 at the top
        plot.Axes.Bottom.TickGenerator = new NumericFixedInterval(1);
        plot.Axes.Left.TickGenerator = new NumericFixedInterval(1);
        plot.Grid.IsVisible = false;

        var bar = plot.Add.ColorBar(new ColorScale(Palette, scale), Edge.Right);
        bar.Label = "count (log scale)";
        bar.LabelStyle.FontSize = ChartStyle.LabelSize;
        var ticks = new NumericManual();
        foreach (long v in new long[] { 0, 1, 10, 100, 1000, 10000 }.Where(v => v <= max))
            ticks.AddMajor(Math.Log10(1 + v), v.ToString(CultureInfo.InvariantCulture));
        bar.Axis.TickGenerator = ticks;
        bar.Axis.TickLabelStyle.FontSize = ChartStyle.TickSize;

        float side = Math.Min(chart.Width - Left - Right, chart.Height - Top - Bottom);
        plot.Layout.Fixed(new PixelRect(Left, Left + side, Top + side, Top));
        ChartStyle.Finish(plot);
        return plot;
    }

    /// <summary>What the colour bar shows: the palette over log10(1 + count) from 0 to the largest count.</summary>
    sealed class ColorScale(IColormap colormap, double max) : IHasColorAxis
    {
        public IColormap Colormap => colormap;
        public ScottPlot.Range GetRange() => new(0, max);
    }
}
