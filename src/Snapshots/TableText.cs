using System.Text;
using MnistClaims.Storage.Parquet;

namespace MnistClaims.Snapshots;

/// <summary>
/// Readable, diff-friendly text rendering of a table (used for <c>*.verified.txt</c>): metadata as comment lines,
/// a header with column names and types, then one right-aligned row per line. Doubles use "R" (shortest round-trip),
/// floats "G9", nulls print as <c>null</c>.
/// </summary>
public static class TableText
{
    public static string Render(Table table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var sb = new StringBuilder();
        sb.Append("# rows: ").Append(table.RowCount).Append('\n');
        foreach (var kv in table.Metadata.OrderBy(k => k.Key, StringComparer.Ordinal))
            sb.Append("# ").Append(kv.Key).Append(": ").Append(kv.Value.Replace("\n", "\\n")).Append('\n');
        if (table.Columns.Count == 0) return sb.ToString();

        var cells = new List<string[]>
        {
            table.Columns.Select(c => c.Name).ToArray(),
            table.Columns.Select(c => TypeName(c)).ToArray(),
        };
        for (int r = 0; r < table.RowCount; r++)
            cells.Add(table.Columns.Select(c => c.IsNull(r) ? "null" : Escape(c.FormatValue(r))).ToArray());
        var widths = new int[table.Columns.Count];
        foreach (var row in cells)
            for (int i = 0; i < row.Length; i++) widths[i] = Math.Max(widths[i], row[i].Length);
        foreach (var row in cells)
        {
            for (int i = 0; i < row.Length; i++)
            {
                if (i > 0) sb.Append("  ");
                sb.Append(row[i].PadLeft(widths[i]));
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Renders rows of cells as an aligned text table (first row = header, then a dashed rule).</summary>
    public static string Align(IReadOnlyList<string[]> rows, IReadOnlyList<bool>? rightAlign = null)
    {
        if (rows.Count == 0) return "";
        int n = rows.Max(r => r.Length);
        var widths = new int[n];
        foreach (var row in rows)
            for (int i = 0; i < row.Length; i++) widths[i] = Math.Max(widths[i], row[i].Length);
        var sb = new StringBuilder();
        for (int r = 0; r < rows.Count; r++)
        {
            var line = new StringBuilder();
            for (int i = 0; i < n; i++)
            {
                if (i > 0) line.Append("  ");
                var cell = i < rows[r].Length ? rows[r][i] : "";
                bool right = rightAlign != null && i < rightAlign.Count && rightAlign[i];
                line.Append(right ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]));
            }
            sb.Append(line.ToString().TrimEnd()).Append('\n');
            if (r == 0) sb.Append(string.Join("  ", widths.Select(w => new string('-', w)))).Append('\n');
        }
        return sb.ToString();
    }

    private static string TypeName(Column c) => c.Type.ToString().ToLowerInvariant() + (c.Optional ? "?" : "");

    private static string Escape(string s) =>
        s.Length == 0 ? "\"\"" : s == "null" ? "\"null\"" : s.IndexOfAny(new[] { ' ', '\t', '\n', '\r', '"' }) >= 0 ? "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\r", "\\r").Replace("\t", "\\t") + "\"" : s;
}
