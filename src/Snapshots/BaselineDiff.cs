using System.Globalization;
using System.Text;
using System.Text.Json;
using MnistClaims.Storage.Parquet;

namespace MnistClaims.Snapshots;

public enum DiffVerdict { WithinTolerance, Better, Worse, Changed, OnlyInA, OnlyInB }

public sealed class DiffOptions
{
    /// <summary>Include rows that are within tolerance (default: only differences).</summary>
    public bool All { get; init; }

    /// <summary>Per (experiment id, metric) tolerance. Takes precedence over <see cref="Tolerances"/>. Default: exact.</summary>
    public Func<string, string, Tolerance>? Tolerance { get; init; }

    /// <summary>Tolerances, ignored columns, directions and key columns (default <see cref="ToleranceSet.Exact"/>).</summary>
    public ToleranceSet? Tolerances { get; init; }

    /// <summary>Only these tables (e.g. "epochs", "fast-epochs"); null compares every table found.</summary>
    public IReadOnlyCollection<string>? Tables { get; init; }
}

/// <summary>One (experiment, table, metric) comparison between side A and side B.</summary>
public sealed record DiffRow(
    string Experiment,
    string Table,
    string Metric,
    double? FinalA,
    double? FinalB,
    double? Delta,
    double? RelativeDelta,
    double? MaxRowDelta,
    string? FirstSeparation,
    Tolerance Tolerance,
    DiffVerdict Verdict);

public sealed class DiffReport
{
    public DiffReport(string dirA, string dirB, IReadOnlyList<DiffRow> rows, int compared)
    {
        DirA = dirA;
        DirB = dirB;
        Rows = rows;
        ComparedMetrics = compared;
    }

    public string DirA { get; }
    public string DirB { get; }
    public IReadOnlyList<DiffRow> Rows { get; }
    /// <summary>Number of (experiment, table, metric) triples compared, including ones omitted as within tolerance.</summary>
    public int ComparedMetrics { get; }
    public bool HasDifferences => Rows.Any(r => r.Verdict != DiffVerdict.WithinTolerance);

    /// <summary>The column headings of every rendering (text, Markdown, the HTML report).</summary>
    public static readonly IReadOnlyList<string> Header = new[] { "experiment", "table", "metric", "A (final)", "B (final)", "delta", "rel delta", "max row delta", "first separation", "tolerance", "verdict" };

    /// <summary>Which of <see cref="Header"/>'s columns hold numbers (right-aligned).</summary>
    public static readonly IReadOnlySet<int> NumericColumns = new HashSet<int> { 3, 4, 5, 6, 7 };

    /// <summary>One row's cells, formatted as every rendering shows them.</summary>
    public static string[] Cells(DiffRow r) => new[]
    {
        r.Experiment, r.Table, r.Metric, Num(r.FinalA), Num(r.FinalB), Num(r.Delta), Rel(r.RelativeDelta), Num(r.MaxRowDelta),
        r.FirstSeparation ?? "", r.Tolerance.ToString(), VerdictText(r.Verdict),
    };

    public string ToText()
    {
        var sb = new StringBuilder($"A: {DirA}\nB: {DirB}\n");
        if (Rows.Count == 0) return sb.Append($"No differences ({ComparedMetrics} metric(s) compared).\n").ToString();
        var rows = new List<string[]> { Header.ToArray() };
        rows.AddRange(Rows.Select(Cells));
        sb.Append(TableText.Align(rows, Header.Select((_, i) => NumericColumns.Contains(i)).ToArray()));
        sb.Append($"{Rows.Count(r => r.Verdict != DiffVerdict.WithinTolerance)} difference(s) in {ComparedMetrics} metric(s) compared.\n");
        return sb.ToString();
    }

    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.Append($"A: `{DirA}`  \nB: `{DirB}`\n\n");
        if (Rows.Count == 0) return sb.Append($"No differences ({ComparedMetrics} metric(s) compared).\n").ToString();
        sb.Append("| ").Append(string.Join(" | ", Header)).Append(" |\n");
        sb.Append("|").Append(string.Join("|", Header.Select((_, i) => NumericColumns.Contains(i) ? "---:" : "---"))).Append("|\n");
        foreach (var r in Rows)
            sb.Append("| ").Append(string.Join(" | ", Cells(r).Select(c => c.Replace("|", "\\|")))).Append(" |\n");
        return sb.ToString();
    }

    public string ToJson()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("a", DirA);
            w.WriteString("b", DirB);
            w.WriteNumber("compared", ComparedMetrics);
            w.WriteStartArray("rows");
            foreach (var r in Rows)
            {
                w.WriteStartObject();
                w.WriteString("experiment", r.Experiment);
                w.WriteString("table", r.Table);
                w.WriteString("metric", r.Metric);
                WriteNum(w, "final_a", r.FinalA);
                WriteNum(w, "final_b", r.FinalB);
                WriteNum(w, "delta", r.Delta);
                WriteNum(w, "relative_delta", r.RelativeDelta);
                WriteNum(w, "max_row_delta", r.MaxRowDelta);
                if (r.FirstSeparation == null) w.WriteNull("first_separation"); else w.WriteString("first_separation", r.FirstSeparation);
                w.WriteNumber("atol", r.Tolerance.Atol);
                w.WriteNumber("rtol", r.Tolerance.Rtol);
                w.WriteString("verdict", VerdictText(r.Verdict));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    public override string ToString() => ToText();

    private static void WriteNum(Utf8JsonWriter w, string name, double? v)
    {
        if (v is not double d) w.WriteNull(name);
        else if (double.IsFinite(d)) w.WriteNumber(name, d);
        else w.WriteString(name, d.ToString(CultureInfo.InvariantCulture)); // "NaN", "Infinity"
    }

    internal static string VerdictText(DiffVerdict v) => v switch
    {
        DiffVerdict.WithinTolerance => "within tolerance",
        DiffVerdict.Better => "better",
        DiffVerdict.Worse => "worse",
        DiffVerdict.Changed => "changed",
        DiffVerdict.OnlyInA => "only in A",
        DiffVerdict.OnlyInB => "only in B",
        _ => v.ToString(),
    };

    private static string Num(double? d) => d is double x ? Column.FormatDouble(x) : "";
    private static string Rel(double? d)
    {
        if (d is not double x) return "";
        if (!double.IsFinite(x)) return Column.FormatDouble(x);
        double pct = x * 100;
        return (pct != 0 && Math.Abs(pct) < 0.001 ? pct.ToString("G3", CultureInfo.InvariantCulture).Replace("E", "e") : pct.ToString("0.###", CultureInfo.InvariantCulture)) + "%";
    }
}

/// <summary>
/// Diffs two baseline profile dirs, two run dirs or two experiment dirs. A directory with parquet files directly
/// inside is one experiment (named after the directory); otherwise each subdirectory is an experiment.
/// Tables are <c>&lt;name&gt;.verified.parquet</c> or plain <c>&lt;name&gt;.parquet</c> (received files are skipped).
/// One row per (experiment, table, numeric metric column); key columns and ignored columns are not metrics.
/// </summary>
public static class BaselineDiff
{
    public static DiffReport Diff(string dirA, string dirB, DiffOptions? options = null)
    {
        options ??= new DiffOptions();
        var tol = options.Tolerances ?? ToleranceSet.Exact;
        if (!Directory.Exists(dirA)) throw new DirectoryNotFoundException($"diff side A does not exist: {dirA}");
        if (!Directory.Exists(dirB)) throw new DirectoryNotFoundException($"diff side B does not exist: {dirB}");
        var a = Collect(dirA, out bool flatA);
        var b = Collect(dirB, out bool flatB);
        if (flatA && flatB)
        {
            // two experiment (or single run) dirs: compare them with each other whatever their names
            string exp = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dirA)));
            a = a.ToDictionary(kv => (exp, kv.Key.Table), kv => kv.Value);
            b = b.ToDictionary(kv => (exp, kv.Key.Table), kv => kv.Value);
        }

        var rows = new List<DiffRow>();
        int compared = 0;
        var keys = a.Keys.Union(b.Keys)
            .Where(k => options.Tables is null || options.Tables.Contains(k.Table))
            .OrderBy(k => k.Experiment, StringComparer.Ordinal).ThenBy(k => k.Table, StringComparer.Ordinal);
        foreach (var key in keys)
        {
            Table? ta = a.TryGetValue(key, out var pa) ? ParquetFile.Read(pa) : null;
            Table? tb = b.TryGetValue(key, out var pb) ? ParquetFile.Read(pb) : null;
            var metricsA = ta == null ? new List<string>() : Metrics(ta, tol);
            var metricsB = tb == null ? new List<string>() : Metrics(tb, tol);
            foreach (var metric in metricsA.Union(metricsB))
            {
                compared++;
                Tolerance t = options.Tolerance?.Invoke(key.Experiment, metric) ?? tol.For(metric);
                bool inA = metricsA.Contains(metric), inB = metricsB.Contains(metric);
                if (!inA || !inB)
                {
                    var only = inA ? ta! : tb!;
                    double? final = Final(only[metric]);
                    rows.Add(new DiffRow(key.Experiment, key.Table, metric, inA ? final : null, inB ? final : null, null, null, null, null, t,
                        inA ? DiffVerdict.OnlyInA : DiffVerdict.OnlyInB));
                    continue;
                }
                var row = CompareMetric(key.Experiment, key.Table, metric, ta!, tb!, t, tol);
                if (options.All || row.Verdict != DiffVerdict.WithinTolerance) rows.Add(row);
            }
        }
        return new DiffReport(dirA, dirB, rows, compared);
    }

    /// <summary>The tables a diff side offers (after <paramref name="only"/>, when given): 0 means there is nothing to compare.</summary>
    public static int TableCount(string dir, IReadOnlyCollection<string>? only = null) =>
        Collect(dir, out _).Keys.Count(k => only is null || only.Contains(k.Table));

    private static DiffRow CompareMetric(string exp, string table, string metric, Table ta, Table tb, Tolerance t, ToleranceSet tol)
    {
        var ca = ta[metric];
        var cb = tb[metric];
        var keyCols = tol.KeyColumns.Where(k => ta.TryGetColumn(k, out _)).Select(k => ta[k]).ToList();
        double? fa = Final(ca), fb = Final(cb);
        double? delta = fa.HasValue && fb.HasValue ? fb - fa : null;
        double? rel = delta.HasValue && fa.HasValue ? (fa.Value == 0 ? (delta.Value == 0 ? 0 : double.PositiveInfinity * Math.Sign(delta.Value)) : delta / Math.Abs(fa.Value)) : null;
        if (rel is double rv && double.IsNaN(rv)) rel = null;
        double maxDelta = 0;
        bool anyDelta = false;
        string? first = null;
        int n = Math.Min(ca.Length, cb.Length);
        for (int i = 0; i < n; i++)
        {
            bool an = ca.IsNull(i), bn = cb.IsNull(i);
            bool ok;
            if (an || bn) ok = an && bn;
            else
            {
                double va = ca.GetDouble(i), vb = cb.GetDouble(i);
                ok = t.Allows(va, vb);
                double d = Math.Abs(vb - va);
                if (!double.IsNaN(d)) { maxDelta = anyDelta ? Math.Max(maxDelta, d) : d; anyDelta = true; }
            }
            if (!ok && first == null) first = SnapshotComparer.RowKey(keyCols, i);
        }
        if (first == null && ca.Length != cb.Length)
            first = ca.Length > cb.Length
                ? SnapshotComparer.RowKey(keyCols, n) + " (only in A)"
                : SnapshotComparer.RowKey(tol.KeyColumns.Where(k => tb.TryGetColumn(k, out _)).Select(k => tb[k]).ToList(), n) + " (only in B)";

        DiffVerdict verdict;
        if (first == null) verdict = DiffVerdict.WithinTolerance;
        else
        {
            var judged = fa.HasValue && fb.HasValue ? SnapshotComparer.Judge(tol.DirectionOf(metric), fa.Value, fb.Value) : ChangeVerdict.Changed;
            verdict = judged switch { ChangeVerdict.Better => DiffVerdict.Better, ChangeVerdict.Worse => DiffVerdict.Worse, _ => DiffVerdict.Changed };
        }
        return new DiffRow(exp, table, metric, fa, fb, delta, rel, anyDelta ? maxDelta : null, first, t, verdict);
    }

    private static double? Final(Column c)
    {
        if (c.Length == 0) return null;
        int last = c.Length - 1;
        return c.IsNull(last) ? null : c.GetDouble(last);
    }

    private static List<string> Metrics(Table t, ToleranceSet tol) =>
        t.Columns.Where(c => c.Type != ParquetType.String && !tol.IsIgnored(c.Name) && !tol.IsKey(c.Name)).Select(c => c.Name).ToList();

    private static Dictionary<(string Experiment, string Table), string> Collect(string dir, out bool flat)
    {
        var result = new Dictionary<(string, string), string>();
        var direct = TablesIn(dir);
        flat = direct.Count > 0;
        if (flat)
        {
            var exp = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir)));
            foreach (var (name, path) in direct) result[(exp, name)] = path;
            return result;
        }
        foreach (var sub in Directory.GetDirectories(dir))
        {
            var exp = Path.GetFileName(sub);
            if (exp.StartsWith('.')) continue;   // hidden: a replacement in progress or left by a crash, not an experiment
            foreach (var (name, path) in TablesIn(sub)) result[(exp, name)] = path;
        }
        return result;
    }

    private static List<(string Name, string Path)> TablesIn(string dir)
    {
        var list = new List<(string, string)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var files = Directory.GetFiles(dir, "*.parquet").OrderBy(f => f, StringComparer.Ordinal).ToList();
        // verified snapshots win over same-named plain files
        foreach (var f in files.Where(f => f.EndsWith(".verified.parquet", StringComparison.Ordinal)))
        {
            var name = Path.GetFileName(f)[..^".verified.parquet".Length];
            if (names.Add(name)) list.Add((name, f));
        }
        foreach (var f in files)
        {
            var file = Path.GetFileName(f);
            if (file.EndsWith(".verified.parquet", StringComparison.Ordinal) || file.EndsWith(".received.parquet", StringComparison.Ordinal)) continue;
            var name = file[..^".parquet".Length];
            if (names.Add(name)) list.Add((name, f));
        }
        return list;
    }
}
