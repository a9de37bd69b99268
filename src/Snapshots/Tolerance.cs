using System.Globalization;

namespace MnistClaims.Snapshots;

/// <summary>Numeric tolerance: a received value r matches verified v when |r - v| &lt;= Atol + Rtol * |v|.</summary>
public sealed record Tolerance(double Atol, double Rtol)
{
    public static Tolerance Exact { get; } = new(0, 0);

    public static Tolerance Absolute(double atol) => new(atol, 0);
    public static Tolerance Relative(double rtol) => new(0, rtol);

    public bool IsExact => Atol == 0 && Rtol == 0;

    /// <summary>Largest allowed |received - verified| for the given verified value.</summary>
    public double Bound(double verified) => Atol + Rtol * Math.Abs(verified);

    /// <summary>NaN equals NaN only when both are NaN; equal infinities match; otherwise |r-v| &lt;= atol + rtol*|v|.</summary>
    public bool Allows(double verified, double received)
    {
        if (double.IsNaN(verified) || double.IsNaN(received)) return double.IsNaN(verified) && double.IsNaN(received);
        if (verified == received) return true;
        if (double.IsInfinity(verified) || double.IsInfinity(received)) return false;
        return Math.Abs(received - verified) <= Bound(verified);
    }

    public override string ToString()
    {
        if (IsExact) return "exact";
        var parts = new List<string>();
        if (Atol != 0) parts.Add("atol=" + Atol.ToString("G6", CultureInfo.InvariantCulture).Replace("E", "e"));
        if (Rtol != 0) parts.Add("rtol=" + Rtol.ToString("G6", CultureInfo.InvariantCulture).Replace("E", "e"));
        return string.Join(" ", parts);
    }
}

public enum MetricDirection { HigherIsBetter, LowerIsBetter, None }

/// <summary>
/// Immutable tolerance configuration: a default tolerance, per-column overrides, ignored columns (timings such as
/// <c>seconds</c> by default), per-column metric directions (inferred from the name when not set) and the key columns
/// that identify a row (epoch, step, class, index, seed by default; keys are always compared exactly).
/// </summary>
public sealed class ToleranceSet
{
    public static readonly IReadOnlyList<string> DefaultIgnoredColumns = new[] { "seconds", "wall_seconds", "elapsed_seconds" };
    public static readonly IReadOnlyList<string> DefaultKeyColumns = new[] { "epoch", "step", "class", "index", "seed" };

    private readonly Dictionary<string, Tolerance> _overrides;
    private readonly HashSet<string> _ignored;
    private readonly Dictionary<string, MetricDirection> _directions;

    /// <param name="defaultTolerance">Tolerance for columns without an override (default: exact).</param>
    /// <param name="ignoredColumns">Columns skipped entirely; null means <see cref="DefaultIgnoredColumns"/>.</param>
    public ToleranceSet(Tolerance? defaultTolerance = null, IEnumerable<string>? ignoredColumns = null)
        : this(defaultTolerance ?? Tolerance.Exact,
               new Dictionary<string, Tolerance>(StringComparer.Ordinal),
               new HashSet<string>(ignoredColumns ?? DefaultIgnoredColumns, StringComparer.Ordinal),
               new Dictionary<string, MetricDirection>(StringComparer.Ordinal),
               DefaultKeyColumns.ToArray())
    {
    }

    private ToleranceSet(Tolerance def, Dictionary<string, Tolerance> overrides, HashSet<string> ignored,
        Dictionary<string, MetricDirection> directions, IReadOnlyList<string> keys, int rowCountTolerance = 0)
    {
        RowCountTolerance = rowCountTolerance;
        Default = def;
        _overrides = overrides;
        _ignored = ignored;
        _directions = directions;
        KeyColumns = keys;
    }

    /// <summary>Exact comparison, default ignored columns and keys.</summary>
    public static ToleranceSet Exact { get; } = new();

    public Tolerance Default { get; }
    public IReadOnlyDictionary<string, Tolerance> Overrides => _overrides;
    public IReadOnlyCollection<string> IgnoredColumns => _ignored;
    public IReadOnlyDictionary<string, MetricDirection> Directions => _directions;
    public IReadOnlyList<string> KeyColumns { get; }
    /// <summary>How many rows the received table may have more or fewer than the verified one (default 0: the same count).</summary>
    public int RowCountTolerance { get; }

    public ToleranceSet WithRowCountTolerance(int rows) =>
        new(Default, _overrides, _ignored, _directions, KeyColumns, rows >= 0 ? rows : throw new ArgumentOutOfRangeException(nameof(rows)));

    public ToleranceSet WithDefault(Tolerance tolerance) => Clone(def: tolerance);

    public ToleranceSet With(string column, Tolerance tolerance)
    {
        var o = new Dictionary<string, Tolerance>(_overrides, StringComparer.Ordinal) { [column] = tolerance };
        return Clone(overrides: o);
    }

    public ToleranceSet Ignore(params string[] columns)
    {
        var i = new HashSet<string>(_ignored, StringComparer.Ordinal);
        i.UnionWith(columns);
        return Clone(ignored: i);
    }

    public ToleranceSet WithDirection(string column, MetricDirection direction)
    {
        var d = new Dictionary<string, MetricDirection>(_directions, StringComparer.Ordinal) { [column] = direction };
        return Clone(directions: d);
    }

    public ToleranceSet WithKeyColumns(params string[] keys) => Clone(keys: keys.ToArray());

    public Tolerance For(string column) =>
        _overrides.TryGetValue(column, out var t) ? t : KeyColumns.Contains(column) ? Tolerance.Exact : Default;

    public bool IsIgnored(string column) => _ignored.Contains(column);

    public bool IsKey(string column) => KeyColumns.Contains(column);

    public MetricDirection DirectionOf(string column) =>
        _directions.TryGetValue(column, out var d) ? d : InferDirection(column);

    /// <summary>loss/error → lower is better; acc/precision/recall/f1 → higher is better; otherwise none.</summary>
    public static MetricDirection InferDirection(string column)
    {
        var n = column.ToLowerInvariant();
        if (n.Contains("loss") || n.Contains("error") || n.Contains("err_rate")) return MetricDirection.LowerIsBetter;
        if (n.Contains("acc") || n.Contains("precision") || n.Contains("recall") || n.Contains("f1")) return MetricDirection.HigherIsBetter;
        return MetricDirection.None;
    }

    private ToleranceSet Clone(Tolerance? def = null, Dictionary<string, Tolerance>? overrides = null, HashSet<string>? ignored = null,
        Dictionary<string, MetricDirection>? directions = null, IReadOnlyList<string>? keys = null) =>
        new(def ?? Default, overrides ?? _overrides, ignored ?? _ignored, directions ?? _directions, keys ?? KeyColumns, RowCountTolerance);
}
