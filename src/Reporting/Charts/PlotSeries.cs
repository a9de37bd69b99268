namespace MnistClaims.Reporting.Charts;

public enum PlotStyle { Lines, Points, LinesPoints, Bars }

public enum Marker { Circle, Triangle, Cross }

/// <summary>One line, point set or bar set of a <see cref="LineChart"/>. <see cref="Title"/> null keeps it out of the legend.</summary>
public sealed record PlotSeries(string? Title, XY Data, string Color, PlotStyle Style = PlotStyle.Lines)
{
    /// <summary>Line width in pixels (for <see cref="Marker.Cross"/> also the stroke of the marker).</summary>
    public double Width { get; init; } = 1.5;
    /// <summary>0 (opaque) to 1 (invisible), for faint per-seed lines.</summary>
    public double Transparency { get; init; }
    public Marker Marker { get; init; } = Marker.Circle;
    /// <summary>Marker size in pixels.</summary>
    public double MarkerSize { get; init; } = 6;
    public bool Dashed { get; init; }
    /// <summary>Bar width in x units for <see cref="PlotStyle.Bars"/>.</summary>
    public double BarWidth { get; init; } = 0.8;
}
