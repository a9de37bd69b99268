using Parquet;
using Parquet.Schema;

namespace MnistClaims.Storage.Parquet;

/// <summary>
/// Reads a flat Parquet file into a <see cref="Table"/> with Parquet.Net. Every failure, the library's included,
/// comes out as a <see cref="ParquetFormatException"/> that names the file and, where one is involved, the column.
/// </summary>
internal static class ParquetTableReader
{
    private static readonly ParquetOptions Options = new();

    public static async Task<Table> ReadAsync(byte[] bytes, string file)
    {
        var (footerStart, footerLength) = ParquetFraming.Check(bytes, file);
        FooterCheck.Check(bytes, footerStart, footerLength, file);
        using var stream = new EndCheckedStream(bytes);
        ParquetReader reader;
        try { reader = await ParquetReader.CreateAsync(stream, Options, leaveStreamOpen: true); }
        catch (Exception ex) { throw Wrap(file, "corrupt file footer (file metadata)", ex); }
        await using (reader)
        {
            var fields = ReadSchema(reader, file);
            int rows = CountRows(reader, file);
            var columns = new ColumnBuffer[fields.Count];
            for (int i = 0; i < fields.Count; i++) columns[i] = new ColumnBuffer(fields[i].Field, fields[i].Type, rows);

            int offset = 0;
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                var rowGroup = reader.RowGroups[g];
                int groupRows = (int)rowGroup.RowCount;
                foreach (var column in columns)
                {
                    CheckChunk(rowGroup, column.Field, g, groupRows, file);
                    try { await column.ReadAsync(rowGroup, offset, groupRows); }
                    catch (Exception ex) { throw Wrap(file, $"corrupt data in column '{column.Field.Name}' of row group {g}", ex); }
                }
                offset += groupRows;
            }

            Dictionary<string, string> metadata;
            try { metadata = reader.CustomMetadata.ToDictionary(kv => kv.Key, kv => kv.Value ?? "", StringComparer.Ordinal); }
            catch (Exception ex) { throw Wrap(file, "corrupt key/value metadata", ex); }
            try { return new Table(columns.Select(c => c.ToColumn()), metadata); }
            catch (ArgumentException ex) { throw new ParquetFormatException(file, $"invalid schema: {ex.Message}", ex); }
        }
    }

    private static List<(DataField Field, ParquetType Type)> ReadSchema(ParquetReader reader, string file)
    {
        ParquetSchema schema;
        try { schema = reader.Schema; }
        catch (Exception ex) { throw Wrap(file, "corrupt or unsupported schema", ex); }
        var fields = new List<(DataField, ParquetType)>();
        foreach (var f in schema.Fields)
        {
            if (f is not DataField df || df.IsArray || df.MaxRepetitionLevel > 0)
                throw new ParquetFormatException(file, $"column '{f.Name}' is a {f.SchemaType.ToString().ToLowerInvariant()} field; nested schemas are not supported (flat tables only)");
            fields.Add((df, TypeOf(df, file)));
        }
        return fields;
    }

    private static ParquetType TypeOf(DataField f, string file)
    {
        var t = f.ClrType;
        if (t == typeof(int)) return ParquetType.Int32;
        if (t == typeof(long)) return ParquetType.Int64;
        if (t == typeof(float)) return ParquetType.Float;
        if (t == typeof(double)) return ParquetType.Double;
        if (t == typeof(bool)) return ParquetType.Boolean;
        if (t == typeof(string) || t == typeof(ReadOnlyMemory<char>)) return ParquetType.String; // 6.x reports strings as character memory
        string what = f switch
        {
            DecimalDataField d => $"DECIMAL({d.Precision},{d.Scale})",
            _ when t == typeof(uint) => "UINT_32",
            _ when t == typeof(ulong) => "UINT_64",
            _ when t == typeof(byte[]) || t == typeof(ReadOnlyMemory<byte>) => "BYTE_ARRAY without STRING annotation (binary)",
            _ => $"{t.Name} (as Parquet.Net reads it)",
        };
        throw new ParquetFormatException(file, $"unsupported type {what} in column '{f.Name}' (supported: INT32, INT64, FLOAT, DOUBLE, BOOLEAN, UTF-8 strings)");
    }

    private static int CountRows(ParquetReader reader, string file)
    {
        long total = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            long n = reader.RowGroups[g].RowCount;
            if (n < 0) throw new ParquetFormatException(file, $"row group {g} has negative num_rows {n} - file corrupt");
            total += n;
        }
        long declared = reader.Metadata?.NumRows ?? total;
        if (total != declared)
            throw new ParquetFormatException(file, $"row groups hold {total} rows but the file metadata says num_rows = {declared} - file corrupt");
        if (total > Array.MaxLength) throw new ParquetFormatException(file, $"{total} rows is more than this reader supports ({Array.MaxLength})");
        return (int)total;
    }

    private static void CheckChunk(ParquetRowGroupReader rowGroup, DataField field, int g, int rows, string file)
    {
        var chunk = rowGroup.GetMetadata(field);
        if (chunk?.MetaData is null)
            throw new ParquetFormatException(file, $"column '{field.Name}' is missing from row group {g} (no column chunk metadata) - file corrupt");
        if (chunk.MetaData.NumValues != rows)
            throw new ParquetFormatException(file, $"column '{field.Name}' of row group {g} has {chunk.MetaData.NumValues} values; expected {rows} (one per row, flat schema) - file corrupt");
    }

    private static ParquetFormatException Wrap(string file, string what, Exception ex) =>
        ex as ParquetFormatException ?? new ParquetFormatException(file, $"{what}: {ex.Message}", ex);
}
