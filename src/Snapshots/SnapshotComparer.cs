using System.Globalization;
using System.Text;
using MnistClaims.Storage.Parquet;

namespace MnistClaims.Snapshots;

public enum MismatchKind
{
    /// <summary>No verified snapshot exists.</summary>
    MissingBaseline,
    /// <summary>Column is in the verified table but not in the received one.</summary>
    MissingColumn,
    /// <summary>Column is in the received table but not in the verified one.</summary>
    ExtraColumn,
    TypeChanged,
    RowCountChanged,
    ValueOutsideTolerance,
}

/// <summary>How a change relates to the metric's direction.</summary>
public enum ChangeVerdict { Changed, Better, Worse }

public sealed record Mismatch(
    MismatchKind Kind,
    string Table,
    string Column,
    string RowKey,
    string Verified,
    string Received,
    double? Delta,
    Tolerance? Tolerance,
    ChangeVerdict Verdict)
{
    public override string ToString() => Kind switch
    {
        MismatchKind.ValueOutsideTolerance =>
            $"{Table}.{Column} at {RowKey}: verified {Verified}, received {Received}, delta {SnapshotComparer.FormatNumber(Delta)} outside {Tolerance} ({Verdict.ToString().ToLowerInvariant()})",
        _ => $"{Table}.{Column}: {Kind} (verified {Verified}, received {Received})",
    };
}

public sealed class ComparisonResult
{
    public ComparisonResult(string table, IReadOnlyList<Mismatch> mismatches)
    {
        Table = table;
        Mismatches = mismatches;
    }

    public string Table { get; }
    public IReadOnlyList<Mismatch> Mismatches { get; }
    public bool IsMatch => Mismatches.Count == 0;

    /// <summary>Aligned table of mismatches (metric, key, verified, received, delta, tolerance, verdict), at most <paramref name="maxRows"/> rows.</summary>
    public string Render(int maxRows = 40) => SnapshotComparer.RenderMismatches(Mismatches, maxRows);

    public override string ToString() => IsMatch ? $"{Table}: match" : $"{Table}: {Mismatches.Count} mismatch(es)\n{Render()}";
}

/// <summary>One received value and how far it is from its verified value, measured against its tolerance bound.</summary>
public sealed record Deviation(string Table, string Column, string RowKey, double Verified, double Received, double Bound)
{
    public double Delta => Received - Verified;
    /// <summary>|delta| / bound: 1 means at the edge of the tolerance (infinite when the tolerance is exact and they differ).</summary>
    public double ShareOfTolerance => Delta == 0 ? 0 : Bound > 0 ? Math.Abs(Delta) / Bound : double.PositiveInfinity;

    public override string ToString() => Delta == 0
        ? "none (every value equal)"
        : $"{Table}.{Column} at {RowKey}: {N(Verified)} vs {N(Received)} (delta {N(Delta)}, {(ShareOfTolerance * 100).ToString("G2", CultureInfo.InvariantCulture)}% of its tolerance {N(Bound)})";

    static string N(double x) => x.ToString("G4", CultureInfo.InvariantCulture);
}

/// <summary>Compares a received table to a verified one, column by column in both directions.</summary>
public static class SnapshotComparer
{
    public static ComparisonResult Compare(Table verified, Table received, ToleranceSet tol) => Compare(verified, received, tol, "table");

    public static ComparisonResult Compare(Table verified, Table received, ToleranceSet tol, string tableName)
    {
        ArgumentNullException.ThrowIfNull(verified);
        ArgumentNullException.ThrowIfNull(received);
        ArgumentNullException.ThrowIfNull(tol);
        var list = new List<Mismatch>();
        var keyCols = tol.KeyColumns.Where(k => verified.TryGetColumn(k, out _)).Select(k => verified[k]).ToList();

        if (Math.Abs(verified.RowCount - received.RowCount) > tol.RowCountTolerance)
            list.Add(new Mismatch(MismatchKind.RowCountChanged, tableName, "(rows)", "",
                verified.RowCount.ToString(CultureInfo.InvariantCulture), received.RowCount.ToString(CultureInfo.InvariantCulture),
                received.RowCount - verified.RowCount, null, ChangeVerdict.Changed));

        foreach (var v in verified.Columns)
        {
            if (tol.IsIgnored(v.Name)) continue;
            if (!received.TryGetColumn(v.Name, out var r))
            {
                list.Add(new Mismatch(MismatchKind.MissingColumn, tableName, v.Name, "", Describe(v), "(missing)", null, null, ChangeVerdict.Changed));
                continue;
            }
            if (r.Type != v.Type || r.Optional != v.Optional)
                list.Add(new Mismatch(MismatchKind.TypeChanged, tableName, v.Name, "", Describe(v), Describe(r), null, null, ChangeVerdict.Changed));
            CompareValues(v, r, tol, tableName, keyCols, list);
        }
        foreach (var r in received.Columns)
        {
            if (tol.IsIgnored(r.Name) || verified.TryGetColumn(r.Name, out _)) continue;
            list.Add(new Mismatch(MismatchKind.ExtraColumn, tableName, r.Name, "", "(missing)", Describe(r), null, null, ChangeVerdict.Changed));
        }
        return new ComparisonResult(tableName, list);
    }

    /// <summary>
    /// The compared numeric value that uses the largest share of its tolerance (the largest absolute change when
    /// several are exact), over the rows both tables have; null when no numeric value is compared.
    /// </summary>
    public static Deviation? LargestDeviation(Table verified, Table received, ToleranceSet tol, string tableName)
    {
        Deviation? worst = null;
        var keyCols = tol.KeyColumns.Where(k => verified.TryGetColumn(k, out _)).Select(k => verified[k]).ToList();
        foreach (var v in verified.Columns)
        {
            if (tol.IsIgnored(v.Name) || !IsNumeric(v) || !received.TryGetColumn(v.Name, out var r) || !IsNumeric(r)) continue;
            var t = tol.For(v.Name);
            for (int i = 0, n = Math.Min(v.Length, r.Length); i < n; i++)
            {
                if (v.IsNull(i) || r.IsNull(i)) continue;
                double dv = v.GetDouble(i), dr = r.GetDouble(i);
                if (!double.IsFinite(dv) || !double.IsFinite(dr)) continue;
                var d = new Deviation(tableName, v.Name, RowKey(keyCols, i), dv, dr, t.Bound(dv));
                if (worst is null || d.ShareOfTolerance > worst.ShareOfTolerance
                    || (d.ShareOfTolerance == worst.ShareOfTolerance && Math.Abs(d.Delta) > Math.Abs(worst.Delta)))
                    worst = d;
            }
        }
        return worst;
    }

    private static string Describe(Column c) => c.Type.ToString().ToLowerInvariant() + (c.Optional ? "?" : "");

    private static bool IsNumeric(Column c) => c.Type is ParquetType.Int32 or ParquetType.Int64 or ParquetType.Float or ParquetType.Double;
    private static bool IsInteger(Column c) => c.Type is ParquetType.Int32 or ParquetType.Int64;

    private static void CompareValues(Column v, Column r, ToleranceSet tol, string table, List<Column> keyCols, List<Mismatch> list)
    {
        int n = Math.Min(v.Length, r.Length);
        var t = tol.For(v.Name);
        var direction = tol.DirectionOf(v.Name);
        bool numeric = IsNumeric(v) && IsNumeric(r);
        bool comparable = numeric || v.Type == r.Type;
        if (!comparable) return; // TypeChanged already reported; values of different kinds are not compared
        for (int i = 0; i < n; i++)
        {
            bool vn = v.IsNull(i), rn = r.IsNull(i);
            if (vn && rn) continue;
            if (vn || rn)
            {
                list.Add(new Mismatch(MismatchKind.ValueOutsideTolerance, table, v.Name, RowKey(keyCols, i),
                    vn ? "null" : v.FormatValue(i), rn ? "null" : r.FormatValue(i), null, t, ChangeVerdict.Changed));
                continue;
            }
            if (numeric)
            {
                bool ok;
                double dv = v.GetDouble(i), dr = r.GetDouble(i);
                if (IsInteger(v) && IsInteger(r) && t.IsExact) ok = v.GetInt64(i) == r.GetInt64(i);
                else ok = t.Allows(dv, dr);
                if (ok) continue;
                double delta = dr - dv;
                list.Add(new Mismatch(MismatchKind.ValueOutsideTolerance, table, v.Name, RowKey(keyCols, i),
                    v.FormatValue(i), r.FormatValue(i), double.IsNaN(delta) ? null : delta, t, Judge(direction, dv, dr)));
            }
            else
            {
                var sv = v.FormatValue(i);
                var sr = r.FormatValue(i);
                if (sv == sr) continue;
                ChangeVerdict verdict = ChangeVerdict.Changed;
                if (v.Type == ParquetType.Boolean) verdict = Judge(direction, v.GetDouble(i), r.GetDouble(i));
                list.Add(new Mismatch(MismatchKind.ValueOutsideTolerance, table, v.Name, RowKey(keyCols, i), sv, sr, null, t, verdict));
            }
        }
    }

    internal static ChangeVerdict Judge(MetricDirection direction, double verified, double received)
    {
        if (double.IsNaN(verified) || double.IsNaN(received) || verified == received) return ChangeVerdict.Changed;
        return direction switch
        {
            MetricDirection.HigherIsBetter => received > verified ? ChangeVerdict.Better : ChangeVerdict.Worse,
            MetricDirection.LowerIsBetter => received < verified ? ChangeVerdict.Better : ChangeVerdict.Worse,
            _ => ChangeVerdict.Changed,
        };
    }

    internal static string RowKey(IReadOnlyList<Column> keyCols, int row)
    {
        if (keyCols.Count == 0) return "row=" + row.ToString(CultureInfo.InvariantCulture);
        return string.Join(", ", keyCols.Select(k => $"{k.Name}={(row < k.Length ? (k.IsNull(row) ? "null" : k.FormatValue(row)) : "?")}"));
    }

    internal static string FormatNumber(double? d) => d is double x ? Column.FormatDouble(x) : "";

    internal static string RenderMismatches(IReadOnlyList<Mismatch> mismatches, int maxRows)
    {
        if (mismatches.Count == 0) return "(no mismatches)\n";
        var rows = new List<string[]> { new[] { "table", "metric", "key", "verified", "received", "delta", "tolerance", "verdict" } };
        foreach (var m in mismatches.Take(maxRows))
        {
            string key = m.Kind == MismatchKind.ValueOutsideTolerance ? m.RowKey : KindLabel(m.Kind);
            rows.Add(new[]
            {
                m.Table, m.Column, key, m.Verified, m.Received, FormatNumber(m.Delta), m.Tolerance?.ToString() ?? "",
                m.Kind == MismatchKind.ValueOutsideTolerance ? m.Verdict.ToString().ToLowerInvariant() : "",
            });
        }
        var sb = new StringBuilder(TableText.Align(rows));
        if (mismatches.Count > maxRows) sb.Append($"... and {mismatches.Count - maxRows} more mismatch(es)\n");
        return sb.ToString();
    }

    private static string KindLabel(MismatchKind k) => k switch
    {
        MismatchKind.MissingColumn => "(column missing)",
        MismatchKind.ExtraColumn => "(extra column)",
        MismatchKind.TypeChanged => "(type changed)",
        MismatchKind.RowCountChanged => "(row count)",
        MismatchKind.MissingBaseline => "(no baseline)",
        _ => k.ToString(),
    };
}
