using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace MnistClaims.Tests.Unit.Reporting.Charts;

/// <summary>A chart's SVG read back for tests: its texts, where they sit, and how many shapes are drawn in a colour.</summary>
internal sealed partial class SvgChart
{
    static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    readonly XElement[] _texts;
    readonly XElement[] _shapes;

    public SvgChart(string svg)
    {
        var doc = XDocument.Parse(svg);
        if (doc.Root?.Name != Svg + "svg") throw new AssertionException("not an SVG document");
        _texts = doc.Descendants(Svg + "text").ToArray();
        _shapes = doc.Descendants().Where(e => e.Name.LocalName is "path" or "rect" or "ellipse" or "circle" or "polygon").ToArray();
    }

    /// <summary>Every text of the chart (title, axis labels, tick labels, legend entries, cell counts), in drawing order.</summary>
    public IReadOnlyList<string> Texts => _texts.Select(t => t.Value.Trim()).ToArray();

    /// <summary>Shapes filled with <paramref name="color"/> ('#rrggbb'): one per marker or bar, plus the legend's sample.</summary>
    public int Filled(string color) => _shapes.Count(e => Same(e.Attribute("fill")?.Value, color));

    /// <summary>Shapes stroked with <paramref name="color"/>: one per line or cross marker, plus the legend's sample.</summary>
    public int Stroked(string color) => _shapes.Count(e => Same(e.Attribute("stroke")?.Value, color));

    /// <summary>The vertical pixel position of the only text that reads <paramref name="text"/>.</summary>
    public double Y(string text)
    {
        var t = _texts.Single(e => e.Value.Trim() == text);
        var m = Translate().Match(t.Attribute("transform")?.Value ?? "");
        double dy = double.Parse((t.Attribute("y")?.Value ?? "0").Split(',')[0], CultureInfo.InvariantCulture);
        return m.Success ? double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) + dy : dy;
    }

    [GeneratedRegex(@"translate\(([-\d.e]+)[ ,]([-\d.e]+)\)")]
    private static partial Regex Translate();

    /// <summary>Skia writes '#111' for '#111111' and upper-case hex digits.</summary>
    static bool Same(string? svgColor, string color)
    {
        if (svgColor is null || !svgColor.StartsWith('#')) return false;
        var h = svgColor[1..];
        if (h.Length == 3) h = string.Concat(h.Select(c => $"{c}{c}"));
        return string.Equals("#" + h, color, StringComparison.OrdinalIgnoreCase);
    }
}
