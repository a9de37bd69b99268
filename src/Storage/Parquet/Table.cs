namespace MnistClaims.Storage.Parquet;

/// <summary>An immutable flat table: equally long, uniquely named columns plus string key/value metadata.</summary>
public sealed class Table
{
    private static readonly IReadOnlyDictionary<string, string> EmptyMetadata = new Dictionary<string, string>();
    private readonly Dictionary<string, Column> _byName;

    public Table(IEnumerable<Column> columns, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var list = new List<Column>();
        _byName = new Dictionary<string, Column>(StringComparer.Ordinal);
        foreach (var c in columns)
        {
            if (c is null) throw new ArgumentException("table contains a null column", nameof(columns));
            if (!_byName.TryAdd(c.Name, c)) throw new ArgumentException($"duplicate column name '{c.Name}'", nameof(columns));
            if (list.Count > 0 && c.Length != list[0].Length)
                throw new ArgumentException($"column '{c.Name}' has {c.Length} rows but column '{list[0].Name}' has {list[0].Length}", nameof(columns));
            list.Add(c);
        }
        Columns = list.AsReadOnly();
        RowCount = list.Count == 0 ? 0 : list[0].Length;
        Metadata = metadata == null ? EmptyMetadata : new Dictionary<string, string>(metadata, StringComparer.Ordinal);
    }

    public IReadOnlyList<Column> Columns { get; }
    public int RowCount { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public Column this[string name] =>
        _byName.TryGetValue(name, out var c)
            ? c
            : throw new KeyNotFoundException($"no column '{name}'; available columns: {string.Join(", ", Columns.Select(x => x.Name))}");

    public bool TryGetColumn(string name, out Column c) => _byName.TryGetValue(name, out c!);

    public override string ToString() => $"Table[{RowCount} rows: {string.Join(", ", Columns)}]";
}
