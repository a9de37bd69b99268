using Parquet;
using Parquet.Schema;

namespace MnistClaims.Storage.Parquet;

/// <summary>
/// One column being read: a typed array for the whole file plus, for an optional column, the "defined" mask.
/// Each row group's chunk is read raw (the non-null values packed, one definition level per row) and scattered in.
/// </summary>
internal sealed class ColumnBuffer
{
    private readonly Array _values;
    private readonly bool[]? _defined;

    public ColumnBuffer(DataField field, ParquetType type, int rows)
    {
        Field = field;
        Type = type;
        _values = type switch
        {
            ParquetType.Int32 => new int[rows],
            ParquetType.Int64 => new long[rows],
            ParquetType.Float => new float[rows],
            ParquetType.Double => new double[rows],
            ParquetType.Boolean => new bool[rows],
            _ => new string?[rows],
        };
        if (field.MaxDefinitionLevel > 0) _defined = new bool[rows];
    }

    public DataField Field { get; }
    public ParquetType Type { get; }

    public Task ReadAsync(ParquetRowGroupReader rowGroup, int offset, int rows) => Type switch
    {
        ParquetType.Int32 => ReadAsync(rowGroup, (int[])_values, offset, rows),
        ParquetType.Int64 => ReadAsync(rowGroup, (long[])_values, offset, rows),
        ParquetType.Float => ReadAsync(rowGroup, (float[])_values, offset, rows),
        ParquetType.Double => ReadAsync(rowGroup, (double[])_values, offset, rows),
        ParquetType.Boolean => ReadAsync(rowGroup, (bool[])_values, offset, rows),
        _ => ReadStringsAsync(rowGroup, offset, rows),
    };

    public Column ToColumn() => new(Field.Name, Type, _values, _defined, _defined != null);

    private async Task ReadAsync<T>(ParquetRowGroupReader rowGroup, T[] target, int offset, int rows) where T : struct
    {
        var (packed, levels) = await ReadRawAsync<T>(rowGroup, rows);
        Scatter(packed, levels, target, offset, rows);
    }

    private async Task ReadStringsAsync(ParquetRowGroupReader rowGroup, int offset, int rows)
    {
        var (packed, levels) = await ReadRawAsync<ReadOnlyMemory<char>>(rowGroup, rows);
        int present = levels == null ? rows : levels.Count(l => l == Field.MaxDefinitionLevel);
        var strings = new string?[present];
        for (int i = 0; i < present; i++) strings[i] = new string(packed[i].Span);
        Scatter(strings, levels, (string?[])_values, offset, rows);
    }

    private async Task<(T[] Packed, int[]? Levels)> ReadRawAsync<T>(ParquetRowGroupReader rowGroup, int rows) where T : struct
    {
        var packed = new T[rows];
        int[]? levels = _defined != null ? new int[rows] : null;
        await rowGroup.ReadRawAsync<T>(Field, packed, levels is null ? (Memory<int>?)null : levels, null);
        return (packed, levels);
    }

    /// <summary>Puts the packed non-null values at their rows; <paramref name="levels"/> null means every row has one.</summary>
    private void Scatter<T>(T[] packed, int[]? levels, T[] target, int offset, int rows)
    {
        if (levels == null)
        {
            Array.Copy(packed, 0, target, offset, rows);
            return;
        }
        int max = Field.MaxDefinitionLevel, k = 0;
        for (int i = 0; i < rows; i++)
        {
            int level = levels[i];
            if (level > max || level < 0) throw new InvalidDataException($"definition level {level} at row {offset + i}; a flat optional column has levels 0..{max}");
            bool present = level == max;
            _defined![offset + i] = present;
            if (present) target[offset + i] = packed[k++];
        }
    }
}
