using ScottPlot;

namespace MnistClaims.Reporting.Charts;

/// <summary>The look every chart shares: font, title and label sizes, grid and frame colours.</summary>
internal static class ChartStyle
{
    /// <summary>Named in the SVG; DejaVu Sans is what Debian's fonts-dejavu-core installs and what the pages' CSS asks for.</summary>
    public const string Font = "DejaVu Sans";
    public const float TitleSize = 15, LabelSize = 13, TickSize = 11, LegendSize = 11, CellSize = 11;

    /// <summary>A plot with the title and axis labels set; the caller adds the data, then calls <see cref="Finish"/>.</summary>
    public static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Title(title, TitleSize);
        plot.XLabel(xLabel, LabelSize);
        plot.YLabel(yLabel, LabelSize);
        plot.Axes.Bottom.TickLabelStyle.FontSize = TickSize;
        plot.Axes.Left.TickLabelStyle.FontSize = TickSize;
        plot.Grid.MajorLineColor = Color.FromHex("#e6e6e6");
        plot.Axes.FrameColor(Color.FromHex("#555555"));
        return plot;
    }

    /// <summary>One font for every text the plot holds (titles, ticks, legend, colour bar, cell labels).</summary>
    public static void Finish(Plot plot)
    {
        plot.Font.Set(Font);
        plot.Legend.FontName = Font;
        plot.Legend.FontSize = LegendSize;
        plot.Legend.SetBestFontOnEachRender = false;
        foreach (var t in plot.GetPlottables<ScottPlot.Plottables.Text>()) t.LabelFontName = Font;
    }

    /// <summary>'#RRGGBB' with <paramref name="transparency"/> from 0 (opaque) to 1 (invisible).</summary>
    public static Color Parse(string hex, double transparency = 0)
    {
        if (hex.Length != 7 || hex[0] != '#' || !hex.Skip(1).All(char.IsAsciiHexDigit))
            throw new ArgumentException($"colour '{hex}': expected #RRGGBB");
        return Color.FromHex(hex).WithOpacity(1 - Math.Clamp(transparency, 0, 1));
    }
}
