using System.IO.Compression;
using Parquet;
using Parquet.Schema;

namespace MnistClaims.Storage.Parquet;

/// <summary>
/// Writes a <see cref="Table"/> with Parquet.Net: one DataField per column (REQUIRED or OPTIONAL), row groups of
/// <see cref="ParquetWriteOptions.RowGroupSize"/> rows, the table's metadata as file-level key/value metadata.
/// A library failure comes out as a <see cref="ParquetFormatException"/> naming the file and column.
/// </summary>
internal static class ParquetTableWriter
{
    public static async Task WriteAsync(Stream output, Table table, ParquetWriteOptions options, string file)
    {
        if (options.RowGroupSize <= 0) throw new ArgumentOutOfRangeException(nameof(options), "RowGroupSize must be positive");
        if (table.Columns.Count == 0) throw new ArgumentException($"{file}: a Parquet file needs at least one column; the table has none", nameof(table));
        var fields = table.Columns.Select(FieldFor).ToArray();
        var parquetOptions = new ParquetOptions
        {
            CompressionMethod = MethodOf(options.Codec),
            // Parquet.Net 6.1 defaults to SmallestSize: 2.5x slower to write gzip for barely smaller files.
            CompressionLevel = CompressionLevel.Optimal,
        };
        ParquetWriter writer;
        try { writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), output, parquetOptions); }
        catch (Exception ex) when (ex is not IOException) { throw new ParquetFormatException(file, $"cannot write the schema ({string.Join(", ", table.Columns)}): {ex.Message}", ex); }
        await using (writer)
        {
            if (table.Metadata.Count > 0)
                writer.CustomMetadata = table.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value);
            for (int start = 0, g = 0; start < table.RowCount; start += options.RowGroupSize, g++)
            {
                int count = Math.Min(options.RowGroupSize, table.RowCount - start);
                using var rowGroup = writer.CreateRowGroup();
                for (int i = 0; i < fields.Length; i++)
                {
                    try { await WriteColumnAsync(rowGroup, fields[i], table.Columns[i], start, count); }
                    catch (Exception ex) when (ex is not IOException) { throw new ParquetFormatException(file, $"cannot write column '{table.Columns[i].Name}' (row group {g}): {ex.Message}", ex); }
                }
                rowGroup.CompleteValidate();
            }
        }
    }

    private static CompressionMethod MethodOf(ParquetCodec codec) => codec switch
    {
        ParquetCodec.Uncompressed => CompressionMethod.None,
        ParquetCodec.Gzip => CompressionMethod.Gzip,
        ParquetCodec.Snappy => CompressionMethod.Snappy,
        ParquetCodec.Zstd => CompressionMethod.Zstd,
        _ => throw new ArgumentOutOfRangeException(nameof(codec), $"unknown codec {codec}"),
    };

    private static DataField FieldFor(Column c) => new(c.Name, c.Type switch
    {
        ParquetType.Int32 => typeof(int),
        ParquetType.Int64 => typeof(long),
        ParquetType.Float => typeof(float),
        ParquetType.Double => typeof(double),
        ParquetType.Boolean => typeof(bool),
        ParquetType.String => typeof(string),
        _ => throw new ArgumentOutOfRangeException(nameof(c), $"column '{c.Name}': unknown type {c.Type}"),
    }, isNullable: c.Optional);

    private static Task WriteColumnAsync(ParquetRowGroupWriter rowGroup, DataField field, Column c, int start, int count) => c.Type switch
    {
        ParquetType.Int32 => WriteAsync(rowGroup, field, (int[])c.RawValues, c.RawDefined, start, count),
        ParquetType.Int64 => WriteAsync(rowGroup, field, (long[])c.RawValues, c.RawDefined, start, count),
        ParquetType.Float => WriteAsync(rowGroup, field, (float[])c.RawValues, c.RawDefined, start, count),
        ParquetType.Double => WriteAsync(rowGroup, field, (double[])c.RawValues, c.RawDefined, start, count),
        ParquetType.Boolean => WriteAsync(rowGroup, field, (bool[])c.RawValues, c.RawDefined, start, count),
        _ => WriteAsync(rowGroup, field, Utf16Slice((string?[])c.RawValues, start, count), c.RawDefined?[start..(start + count)], 0, count),
    };

    /// <summary>The library takes strings as character memory; nulls (masked out by the defined mask) become empty.</summary>
    private static ReadOnlyMemory<char>[] Utf16Slice(string?[] values, int start, int count)
    {
        var slice = new ReadOnlyMemory<char>[count];
        for (int i = 0; i < count; i++) slice[i] = (values[start + i] ?? "").AsMemory();
        return slice;
    }

    private static Task WriteAsync<T>(ParquetRowGroupWriter rowGroup, DataField field, T[] values, bool[]? defined, int start, int count) where T : struct
    {
        if (defined == null) return rowGroup.WriteAsync<T>(field, new ReadOnlyMemory<T>(values, start, count));
        var nullable = new T?[count];
        for (int i = 0; i < count; i++)
            if (defined[start + i]) nullable[i] = values[start + i];
        return rowGroup.WriteAsync<T>(field, new ReadOnlyMemory<T?>(nullable));
    }
}
