namespace MnistClaims.Reporting.Charts;

/// <summary>What to draw: a line/point/bar chart or a heatmap, and its size. Drawn to SVG by <see cref="ChartRenderer"/>.</summary>
public abstract record ChartSpec(string Name, string Title)
{
    public int Width { get; init; } = 900;
    public int Height { get; init; } = 500;
    /// <summary>The image file name (relative to the image directory).</summary>
    public string FileName => Name + ".svg";
    public abstract bool HasData { get; }
}

/// <summary>
/// Series over a shared x axis, with a legend of the titled series in a band under the plot (so it never
/// covers data). With <see cref="LogY"/> the y axis is logarithmic and values &lt;= 0 are not drawn.
/// </summary>
public sealed record LineChart(string Name, string Title, string XLabel, string YLabel, IReadOnlyList<PlotSeries> Series) : ChartSpec(Name, Title)
{
    public bool LogY { get; init; }
    public double? YMin { get; init; }
    public double? YMax { get; init; }
    public double? XMin { get; init; }
    public double? XMax { get; init; }
    /// <summary>Integer x ticks (epochs, classes).</summary>
    public bool IntegerX { get; init; }

    public override bool HasData => Series.Any(s => s.Data.Count > 0);
}

/// <summary>A confusion matrix: rows = true class, columns = predicted class, counts printed in the cells.</summary>
public sealed record Heatmap(string Name, string Title, long[,] Counts, string XLabel = "predicted class", string YLabel = "true class") : ChartSpec(Name, Title)
{
    public override bool HasData => Counts.Length > 0;
}
