using System.Globalization;

namespace MnistClaims.Storage.Parquet;

public enum ParquetType { Int32, Int64, Float, Double, Boolean, String }

public enum ParquetCodec { Uncompressed, Gzip, Snappy, Zstd }

/// <summary>
/// One named, typed column. Values are stored in a typed array; optional columns also keep a "defined" mask
/// (values at null rows hold the type's default).
/// </summary>
public sealed class Column
{
    private readonly Array _values;
    private readonly bool[]? _defined; // null for required columns

    internal Column(string name, ParquetType type, Array values, bool[]? defined, bool optional)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (defined != null && defined.Length != values.Length)
            throw new ArgumentException($"column '{name}': null mask length {defined.Length} != value count {values.Length}");
        if (!optional && defined != null) throw new ArgumentException($"column '{name}': required column cannot have a null mask");
        Name = name;
        Type = type;
        Optional = optional;
        _values = values;
        _defined = defined;
    }

    public string Name { get; }
    public ParquetType Type { get; }
    public bool Optional { get; }
    public int Length => _values.Length;

    /// <summary>Number of null entries (0 for required columns).</summary>
    public int NullCount
    {
        get
        {
            if (_defined == null) return 0;
            int n = 0;
            foreach (var d in _defined) if (!d) n++;
            return n;
        }
    }

    // ---- required factories ----
    public static Column Int32(string name, int[] v) => new(name, ParquetType.Int32, Copy(v), null, false);
    public static Column Int64(string name, long[] v) => new(name, ParquetType.Int64, Copy(v), null, false);
    public static Column Float(string name, float[] v) => new(name, ParquetType.Float, Copy(v), null, false);
    public static Column Double(string name, double[] v) => new(name, ParquetType.Double, Copy(v), null, false);
    public static Column Boolean(string name, bool[] v) => new(name, ParquetType.Boolean, Copy(v), null, false);

    public static Column String(string name, string[] v)
    {
        ArgumentNullException.ThrowIfNull(v);
        for (int i = 0; i < v.Length; i++)
            if (v[i] is null) throw new ArgumentException($"column '{name}': required string column has null at row {i}; use Column.OptionalString");
        return new(name, ParquetType.String, (string?[])v.Clone(), null, false);
    }

    // ---- optional factories ----
    public static Column Int32(string name, int?[] v) => FromNullable(name, ParquetType.Int32, v);
    public static Column Int64(string name, long?[] v) => FromNullable(name, ParquetType.Int64, v);
    public static Column Float(string name, float?[] v) => FromNullable(name, ParquetType.Float, v);
    public static Column Double(string name, double?[] v) => FromNullable(name, ParquetType.Double, v);
    public static Column Boolean(string name, bool?[] v) => FromNullable(name, ParquetType.Boolean, v);

    public static Column OptionalString(string name, string?[] v)
    {
        ArgumentNullException.ThrowIfNull(v);
        var defined = new bool[v.Length];
        for (int i = 0; i < v.Length; i++) defined[i] = v[i] != null;
        return new(name, ParquetType.String, (string?[])v.Clone(), defined, true);
    }

    private static T[] Copy<T>(T[] v)
    {
        ArgumentNullException.ThrowIfNull(v);
        return (T[])v.Clone();
    }

    private static Column FromNullable<T>(string name, ParquetType type, T?[] v) where T : struct
    {
        ArgumentNullException.ThrowIfNull(v);
        var values = new T[v.Length];
        var defined = new bool[v.Length];
        for (int i = 0; i < v.Length; i++)
        {
            if (v[i] is T x) { values[i] = x; defined[i] = true; }
        }
        return new(name, type, values, defined, true);
    }

    // ---- accessors ----
    public bool IsNull(int row)
    {
        CheckRow(row);
        return _defined != null && !_defined[row];
    }

    public object? GetValue(int row)
    {
        if (IsNull(row)) return null;
        return _values.GetValue(row);
    }

    /// <summary>Numeric (and boolean, as 0/1) value widened to double. Throws for string columns and null entries.</summary>
    public double GetDouble(int row)
    {
        ThrowIfNull(row);
        return Type switch
        {
            ParquetType.Int32 => ((int[])_values)[row],
            ParquetType.Int64 => ((long[])_values)[row],
            ParquetType.Float => ((float[])_values)[row],
            ParquetType.Double => ((double[])_values)[row],
            ParquetType.Boolean => ((bool[])_values)[row] ? 1.0 : 0.0,
            _ => throw new InvalidOperationException($"column '{Name}' is {Type}, not numeric"),
        };
    }

    /// <summary>Integer (and boolean, as 0/1) value widened to long. Throws for float/double/string columns and null entries.</summary>
    public long GetInt64(int row)
    {
        ThrowIfNull(row);
        return Type switch
        {
            ParquetType.Int32 => ((int[])_values)[row],
            ParquetType.Int64 => ((long[])_values)[row],
            ParquetType.Boolean => ((bool[])_values)[row] ? 1L : 0L,
            _ => throw new InvalidOperationException($"column '{Name}' is {Type}, not an integer column"),
        };
    }

    /// <summary>String value (null for null entries). Throws for non-string columns.</summary>
    public string? GetString(int row)
    {
        CheckRow(row);
        if (Type != ParquetType.String) throw new InvalidOperationException($"column '{Name}' is {Type}, not String");
        return IsNull(row) ? null : ((string?[])_values)[row];
    }

    public int[] Int32Values() => Values<int>(ParquetType.Int32);
    public long[] Int64Values() => Values<long>(ParquetType.Int64);
    public float[] FloatValues() => Values<float>(ParquetType.Float);
    public double[] DoubleValues() => Values<double>(ParquetType.Double);
    public bool[] BooleanValues() => Values<bool>(ParquetType.Boolean);
    public string?[] StringValues() => Values<string?>(ParquetType.String);

    /// <summary>Copy of the null mask (true = value present); all true for required columns.</summary>
    public bool[] DefinedMask()
    {
        if (_defined != null) return (bool[])_defined.Clone();
        var all = new bool[Length];
        Array.Fill(all, true);
        return all;
    }

    /// <summary>Invariant-culture, round-trip text for one cell ("null" for nulls): "R" (shortest round-trip) for doubles, G9 for floats.</summary>
    public string FormatValue(int row)
    {
        if (IsNull(row)) return "null";
        return Type switch
        {
            ParquetType.Int32 => ((int[])_values)[row].ToString(CultureInfo.InvariantCulture),
            ParquetType.Int64 => ((long[])_values)[row].ToString(CultureInfo.InvariantCulture),
            ParquetType.Float => FormatFloat(((float[])_values)[row]),
            ParquetType.Double => FormatDouble(((double[])_values)[row]),
            ParquetType.Boolean => ((bool[])_values)[row] ? "true" : "false",
            ParquetType.String => ((string?[])_values)[row]!,
            _ => throw new InvalidOperationException(),
        };
    }

    public static string FormatDouble(double d) => d.ToString("R", CultureInfo.InvariantCulture); // shortest round-trip text
    public static string FormatFloat(float f) => f.ToString("G9", CultureInfo.InvariantCulture);

    internal Array RawValues => _values;
    internal bool[]? RawDefined => _defined;

    public override string ToString() => $"{Name}: {Type}{(Optional ? "?" : "")}[{Length}]";

    private T[] Values<T>(ParquetType expected)
    {
        if (Type != expected) throw new InvalidOperationException($"column '{Name}' is {Type}, not {expected}");
        return (T[])_values.Clone();
    }

    private void CheckRow(int row)
    {
        if ((uint)row >= (uint)Length) throw new ArgumentOutOfRangeException(nameof(row), $"row {row} out of range for column '{Name}' with {Length} rows");
    }

    private void ThrowIfNull(int row)
    {
        if (IsNull(row)) throw new InvalidOperationException($"column '{Name}' is null at row {row}");
    }
}
