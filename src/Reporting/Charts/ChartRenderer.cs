using System.Collections.Concurrent;
using ScottPlot;

namespace MnistClaims.Reporting.Charts;

/// <summary>Draws <see cref="ChartSpec"/>s to SVG in-process with ScottPlot: no external program, the same bytes for the same chart.</summary>
public static class ChartRenderer
{
    /// <summary>Why a chart without data is not drawn (the page shows a note, not a warning).</summary>
    public const string NoData = "no data to draw";

    /// <summary>What draws the charts, for the report's provenance table.</summary>
    public static string Library { get; } = $"ScottPlot {typeof(Plot).Assembly.GetName().Version?.ToString(3)} (SVG, in-process)";

    /// <summary>One chart as an SVG document.</summary>
    public static string Svg(ChartSpec chart)
    {
        using var plot = chart switch
        {
            LineChart line => LineChartDrawing.Draw(line),
            Heatmap map => HeatmapDrawing.Draw(map),
            _ => throw new ArgumentException($"no drawing for {chart.GetType().Name}", nameof(chart)),
        };
        return SvgIds.Renumber(plot.GetSvgXml(chart.Width, chart.Height));
    }

    /// <summary>
    /// Writes every chart into <paramref name="imageDir"/> as <c>&lt;name&gt;.svg</c>, <paramref name="parallel"/> at a time
    /// (each chart is its own ScottPlot plot). Returns the charts that were not drawn, with why (<see cref="NoData"/>, or the error).
    /// </summary>
    public static IReadOnlyDictionary<string, string> RenderAll(IReadOnlyList<ChartSpec> charts, string imageDir, int parallel = 2, CancellationToken cancel = default)
    {
        var failures = new ConcurrentDictionary<string, string>();
        Parallel.ForEach(charts, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallel), CancellationToken = cancel }, chart =>
        {
            if (!chart.HasData) { failures[chart.Name] = NoData; return; }
            try { File.WriteAllText(Path.Combine(imageDir, chart.FileName), Svg(chart)); }
            // one chart that cannot be drawn becomes a warning in the page, not a report without any charts
            catch (Exception e) when (e is not OperationCanceledException) { failures[chart.Name] = $"{e.GetType().Name}: {e.Message}"; }
        });
        return failures;
    }
}
