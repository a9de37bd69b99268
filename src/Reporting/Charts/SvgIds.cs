using System.Text.RegularExpressions;

namespace MnistClaims.Reporting.Charts;

/// <summary>
/// Skia's SVG canvas names clip paths and images from a process-wide counter, so the same chart drawn twice
/// (or after other charts, or on another thread) gets different ids. Renumbering them in order of
/// appearance makes the file depend on the chart alone.
/// </summary>
internal static partial class SvgIds
{
    [GeneratedRegex("""(?<=\bid="|url\(#|href="#)([A-Za-z][\w.-]*)(?=[")])""")]
    private static partial Regex Reference();

    [GeneratedRegex("""\bid="([^"]+)(?=")""")]
    private static partial Regex Definition();

    public static string Renumber(string svg)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in Definition().Matches(svg))
            names.TryAdd(m.Groups[1].Value, $"d{names.Count}");
        return Reference().Replace(svg, m => names.GetValueOrDefault(m.Value, m.Value));
    }
}
