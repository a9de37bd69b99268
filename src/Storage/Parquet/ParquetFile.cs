using System.Buffers.Binary;
using System.Text;
using MnistClaims.Storage.Parquet.Format;
using MnistClaims.Storage.Parquet.Thrift;

namespace MnistClaims.Storage.Parquet;

/// <summary>
/// Reads and writes flat Parquet files. Writer: data page v1, PLAIN values, RLE definition levels, UNCOMPRESSED/GZIP,
/// min/max/null_count statistics, key/value metadata. Reader additionally accepts dictionary encodings, data page v2
/// and SNAPPY (what DuckDB writes by default).
/// </summary>
public static class ParquetFile
{
    private static readonly byte[] Magic = "PAR1"u8.ToArray();
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // ======================================================================== write

    /// <summary>Writes atomically: "&lt;path&gt;.tmp-&lt;guid&gt;" in the same directory, flushed, then moved over <paramref name="path"/>.</summary>
    public static void Write(string path, Table table, ParquetWriteOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(table);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        var tmp = full + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                WriteTo(fs, table, options);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch { /* best effort */ }
            throw;
        }
    }

    public static byte[] WriteToBytes(Table table, ParquetWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        var ms = new MemoryStream();
        WriteTo(ms, table, options);
        return ms.ToArray();
    }

    /// <summary>Writes the file to any stream (need not be seekable).</summary>
    public static void WriteTo(Stream output, Table table, ParquetWriteOptions? options = null)
    {
        options ??= new ParquetWriteOptions();
        if (options.RowGroupSize <= 0) throw new ArgumentOutOfRangeException(nameof(options), "RowGroupSize must be positive");
        var codec = options.Codec switch
        {
            ParquetCodec.Uncompressed => CompressionCodec.Uncompressed,
            ParquetCodec.Gzip => CompressionCodec.Gzip,
            _ => throw new ArgumentOutOfRangeException(nameof(options), $"unknown codec {options.Codec}"),
        };

        long pos = 0;
        void Put(ReadOnlySpan<byte> b) { output.Write(b); pos += b.Length; }

        Put(Magic);
        var meta = new FileMetaData
        {
            Version = 1,
            NumRows = table.RowCount,
            CreatedBy = options.CreatedBy,
            ColumnOrderCount = table.Columns.Count,
        };
        meta.Schema.Add(new SchemaElement { Name = "schema", NumChildren = table.Columns.Count });
        foreach (var c in table.Columns) meta.Schema.Add(SchemaFor(c));
        if (table.Metadata.Count > 0)
            meta.KeyValueMetadata = table.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => new KeyValue { Key = kv.Key, Value = kv.Value }).ToList();

        short ordinal = 0;
        for (int start = 0; start < table.RowCount; start += options.RowGroupSize)
        {
            int count = Math.Min(options.RowGroupSize, table.RowCount - start);
            var rg = new RowGroup { NumRows = count, FileOffset = pos, Ordinal = ordinal++ };
            long totalCompressed = 0;
            foreach (var c in table.Columns)
            {
                var (header, payload, uncompressedSize) = EncodePage(c, start, count, codec);
                long offset = pos;
                Put(header);
                Put(payload);
                var cmd = new ColumnMetaData
                {
                    Type = PhysicalTypeOf(c.Type),
                    Encodings = c.Optional ? new List<ParquetEncoding> { ParquetEncoding.Plain, ParquetEncoding.Rle } : new List<ParquetEncoding> { ParquetEncoding.Plain },
                    PathInSchema = new List<string> { c.Name },
                    Codec = codec,
                    NumValues = count,
                    TotalUncompressedSize = header.Length + uncompressedSize,
                    TotalCompressedSize = header.Length + payload.Length,
                    DataPageOffset = offset,
                    Statistics = ComputeStatistics(c, start, count),
                };
                rg.Columns.Add(new ColumnChunk { FileOffset = offset, MetaData = cmd });
                rg.TotalByteSize += cmd.TotalUncompressedSize;
                totalCompressed += cmd.TotalCompressedSize;
            }
            rg.TotalCompressedSize = totalCompressed;
            meta.RowGroups.Add(rg);
        }

        var w = new ThriftCompactWriter();
        meta.Write(w);
        var footer = w.ToArray();
        Put(footer);
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(len, footer.Length);
        Put(len);
        Put(Magic);
        output.Flush();
    }

    private static SchemaElement SchemaFor(Column c)
    {
        var e = new SchemaElement
        {
            Name = c.Name,
            Type = PhysicalTypeOf(c.Type),
            RepetitionType = c.Optional ? FieldRepetitionType.Optional : FieldRepetitionType.Required,
        };
        if (c.Type == ParquetType.String)
        {
            e.ConvertedType = ConvertedType.Utf8;
            e.LogicalTypeId = 1; // LogicalType.STRING
        }
        return e;
    }

    private static PhysicalType PhysicalTypeOf(ParquetType t) => t switch
    {
        ParquetType.Int32 => PhysicalType.Int32,
        ParquetType.Int64 => PhysicalType.Int64,
        ParquetType.Float => PhysicalType.Float,
        ParquetType.Double => PhysicalType.Double,
        ParquetType.Boolean => PhysicalType.Boolean,
        ParquetType.String => PhysicalType.ByteArray,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    private static (byte[] Header, byte[] Payload, int UncompressedSize) EncodePage(Column c, int start, int count, CompressionCodec codec)
    {
        var body = new MemoryStream();
        var defined = c.RawDefined;
        if (c.Optional)
        {
            var levels = RleBitPackedHybrid.EncodeBits(defined != null ? defined.AsSpan(start, count) : Enumerable.Repeat(true, count).ToArray());
            Span<byte> len = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(len, levels.Length);
            body.Write(len);
            body.Write(levels);
        }
        WritePlainValues(body, c, start, count);
        if (body.Length > int.MaxValue) throw new InvalidOperationException($"column '{c.Name}': page larger than 2 GiB; lower RowGroupSize");
        var uncompressed = body.ToArray();
        var payload = codec == CompressionCodec.Gzip ? Gzip.Compress(uncompressed) : uncompressed;
        var ph = new PageHeader
        {
            Type = PageType.DataPage,
            UncompressedPageSize = uncompressed.Length,
            CompressedPageSize = payload.Length,
            DataPageHeader = new DataPageHeader
            {
                NumValues = count,
                Encoding = ParquetEncoding.Plain,
                DefinitionLevelEncoding = ParquetEncoding.Rle,
                RepetitionLevelEncoding = ParquetEncoding.Rle,
            },
        };
        var w = new ThriftCompactWriter();
        ph.Write(w);
        return (w.ToArray(), payload, uncompressed.Length);
    }

    private delegate void LittleEndianWriter<T>(Span<byte> destination, T value);

    /// <summary>PLAIN encoding of a fixed-width type: the present (non-null) values, little-endian, back to back.</summary>
    private static void WriteFixed<T>(MemoryStream body, T[] values, Func<int, bool> present, int start, int count, int presentCount, int width, LittleEndianWriter<T> write)
    {
        var buf = new byte[presentCount * width];
        int o = 0;
        for (int i = start; i < start + count; i++)
            if (present(i)) { write(buf.AsSpan(o), values[i]); o += width; }
        body.Write(buf);
    }

    /// <summary>
    /// Min/max statistics of a float or double column chunk: nulls and NaN are skipped, and (Parquet spec) a zero
    /// min is written as -0.0 and a zero max as +0.0. Nothing is set when no value qualifies.
    /// </summary>
    private static void FloatingMinMax<T>(Statistics s, T[] v, Func<int, bool> present, int start, int count, int width, LittleEndianWriter<T> write)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        bool any = false; T min = T.Zero, max = T.Zero;
        for (int i = start; i < start + count; i++)
        {
            if (!present(i) || T.IsNaN(v[i])) continue;
            if (!any) { min = max = v[i]; any = true; }
            else { if (v[i] < min) min = v[i]; if (v[i] > max) max = v[i]; }
        }
        if (!any) return;
        if (T.IsZero(min)) min = T.NegativeZero;
        if (T.IsZero(max)) max = T.Zero;
        var a = new byte[width]; write(a, min); s.MinValue = a;
        var b = new byte[width]; write(b, max); s.MaxValue = b;
    }

    private static void WritePlainValues(MemoryStream body, Column c, int start, int count)
    {
        var defined = c.RawDefined;
        bool Present(int i) => defined == null || defined[i];
        int present = 0;
        for (int i = start; i < start + count; i++) if (Present(i)) present++;
        switch (c.Type)
        {
            case ParquetType.Int32: WriteFixed(body, (int[])c.RawValues, Present, start, count, present, 4, BinaryPrimitives.WriteInt32LittleEndian); break;
            case ParquetType.Int64: WriteFixed(body, (long[])c.RawValues, Present, start, count, present, 8, BinaryPrimitives.WriteInt64LittleEndian); break;
            case ParquetType.Float: WriteFixed(body, (float[])c.RawValues, Present, start, count, present, 4, BinaryPrimitives.WriteSingleLittleEndian); break;
            case ParquetType.Double: WriteFixed(body, (double[])c.RawValues, Present, start, count, present, 8, BinaryPrimitives.WriteDoubleLittleEndian); break;
            case ParquetType.Boolean:
                {
                    var v = (bool[])c.RawValues;
                    var buf = new byte[(present + 7) / 8];
                    int k = 0;
                    for (int i = start; i < start + count; i++)
                    {
                        if (!Present(i)) continue;
                        if (v[i]) buf[k >> 3] |= (byte)(1 << (k & 7));
                        k++;
                    }
                    body.Write(buf);
                    break;
                }
            case ParquetType.String:
                {
                    var v = (string?[])c.RawValues;
                    Span<byte> len = stackalloc byte[4];
                    for (int i = start; i < start + count; i++)
                    {
                        if (!Present(i)) continue;
                        var bytes = StrictUtf8.GetBytes(v[i]!);
                        BinaryPrimitives.WriteInt32LittleEndian(len, bytes.Length);
                        body.Write(len);
                        body.Write(bytes);
                    }
                    break;
                }
        }
    }

    private static Statistics ComputeStatistics(Column c, int start, int count)
    {
        var defined = c.RawDefined;
        long nulls = 0;
        if (defined != null) for (int i = start; i < start + count; i++) if (!defined[i]) nulls++;
        var s = new Statistics { NullCount = nulls };
        bool Present(int i) => defined == null || defined[i];
        switch (c.Type)
        {
            case ParquetType.Int32:
                {
                    var v = (int[])c.RawValues;
                    bool any = false; int min = 0, max = 0;
                    for (int i = start; i < start + count; i++)
                    {
                        if (!Present(i)) continue;
                        if (!any) { min = max = v[i]; any = true; }
                        else { if (v[i] < min) min = v[i]; if (v[i] > max) max = v[i]; }
                    }
                    if (any) { s.MinValue = BitConverterLE(min); s.MaxValue = BitConverterLE(max); }
                    break;
                }
            case ParquetType.Int64:
                {
                    var v = (long[])c.RawValues;
                    bool any = false; long min = 0, max = 0;
                    for (int i = start; i < start + count; i++)
                    {
                        if (!Present(i)) continue;
                        if (!any) { min = max = v[i]; any = true; }
                        else { if (v[i] < min) min = v[i]; if (v[i] > max) max = v[i]; }
                    }
                    if (any) { s.MinValue = BitConverterLE(min); s.MaxValue = BitConverterLE(max); }
                    break;
                }
            case ParquetType.Float: FloatingMinMax(s, (float[])c.RawValues, Present, start, count, 4, BinaryPrimitives.WriteSingleLittleEndian); break;
            case ParquetType.Double: FloatingMinMax(s, (double[])c.RawValues, Present, start, count, 8, BinaryPrimitives.WriteDoubleLittleEndian); break;
            case ParquetType.Boolean:
                {
                    var v = (bool[])c.RawValues;
                    bool any = false, sawFalse = false, sawTrue = false;
                    for (int i = start; i < start + count; i++)
                    {
                        if (!Present(i)) continue;
                        any = true;
                        if (v[i]) sawTrue = true; else sawFalse = true;
                    }
                    if (any)
                    {
                        s.MinValue = new[] { sawFalse ? (byte)0 : (byte)1 };
                        s.MaxValue = new[] { sawTrue ? (byte)1 : (byte)0 };
                    }
                    break;
                }
            case ParquetType.String:
                {
                    var v = (string?[])c.RawValues;
                    byte[]? min = null, max = null;
                    for (int i = start; i < start + count; i++)
                    {
                        if (!Present(i)) continue;
                        var b = StrictUtf8.GetBytes(v[i]!);
                        if (min == null || b.AsSpan().SequenceCompareTo(min) < 0) min = b;
                        if (max == null || b.AsSpan().SequenceCompareTo(max) > 0) max = b;
                    }
                    s.MinValue = min;
                    s.MaxValue = max;
                    break;
                }
        }
        return s;
    }

    private static byte[] BitConverterLE(int v) { var b = new byte[4]; BinaryPrimitives.WriteInt32LittleEndian(b, v); return b; }
    private static byte[] BitConverterLE(long v) { var b = new byte[8]; BinaryPrimitives.WriteInt64LittleEndian(b, v); return b; }

    // ======================================================================== read

    public static Table Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"parquet file not found: {path}", path, ex);
        }
        return Read(bytes, path);
    }

    public static Table Read(byte[] bytes, string nameForErrors)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        nameForErrors ??= "<bytes>";
        var meta = ReadMetadata(bytes, nameForErrors);
        return new ParquetDecoder(bytes, nameForErrors, meta).Decode();
    }

    public static FileMetaData ReadMetadata(string path) => ReadMetadata(File.ReadAllBytes(path), path);

    /// <summary>Parses only the footer (schema, row groups, statistics, key/value metadata).</summary>
    public static FileMetaData ReadMetadata(byte[] bytes, string nameForErrors)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length < 12)
            throw new ParquetFormatException(nameForErrors, $"file is {bytes.Length} bytes; expected at least 12 bytes (PAR1 magic, footer length, PAR1 magic) - truncated or not a parquet file");
        if (!bytes.AsSpan(0, 4).SequenceEqual(Magic))
            throw new ParquetFormatException(nameForErrors, $"expected magic 'PAR1' at start of file, found {Describe(bytes.AsSpan(0, 4))} - not a parquet file");
        if (!bytes.AsSpan(bytes.Length - 4, 4).SequenceEqual(Magic))
            throw new ParquetFormatException(nameForErrors, $"expected magic 'PAR1' at end of file, found {Describe(bytes.AsSpan(bytes.Length - 4, 4))} - file truncated or not a parquet file");
        int footerLen = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(bytes.Length - 8, 4));
        if (footerLen <= 0 || footerLen > bytes.Length - 12)
            throw new ParquetFormatException(nameForErrors, $"footer length {footerLen} is invalid for a file of {bytes.Length} bytes; expected 1..{bytes.Length - 12} - file truncated or corrupt");
        int footerStart = bytes.Length - 8 - footerLen;
        try
        {
            return FileMetaData.Read(new ThriftCompactReader(bytes, footerStart, bytes.Length - 8));
        }
        catch (Exception ex) when (ex is ThriftFormatException or InvalidDataException or ArgumentException or InvalidOperationException)
        {
            throw new ParquetFormatException(nameForErrors, $"corrupt file footer (FileMetaData, {footerLen} bytes at offset {footerStart}): {ex.Message}", ex);
        }
    }

    private static string Describe(ReadOnlySpan<byte> b) => "0x" + Convert.ToHexString(b);

    private sealed class ParquetDecoder
    {
        private readonly byte[] _bytes;
        private readonly string _file;
        private readonly FileMetaData _meta;

        public ParquetDecoder(byte[] bytes, string file, FileMetaData meta)
        {
            _bytes = bytes;
            _file = file;
            _meta = meta;
        }

        private ParquetFormatException Fail(string message, Exception? inner = null) => new(_file, message, inner);

        public Table Decode()
        {
            var schema = _meta.Schema;
            if (schema.Count == 0) throw Fail("schema is empty; expected a root element");
            var root = schema[0];
            var leaves = schema.Skip(1).ToList();
            if ((root.NumChildren ?? 0) != leaves.Count)
                throw Fail($"root schema element has {root.NumChildren} children but {leaves.Count} columns follow; nested schemas are not supported (flat tables only)");
            var specs = new List<(SchemaElement El, ParquetType Type, bool Optional)>();
            foreach (var el in leaves)
            {
                if ((el.NumChildren ?? 0) > 0 || el.Type == null)
                    throw Fail($"column '{el.Name}' is a group; nested schemas are not supported (flat tables only)");
                if (el.RepetitionType == FieldRepetitionType.Repeated)
                    throw Fail($"column '{el.Name}' is REPEATED; only REQUIRED and OPTIONAL columns are supported");
                specs.Add((el, MapType(el), el.RepetitionType == FieldRepetitionType.Optional));
            }

            long totalRows = 0;
            foreach (var rg in _meta.RowGroups)
            {
                if (rg.NumRows < 0) throw Fail($"row group has negative num_rows {rg.NumRows}");
                totalRows += rg.NumRows;
            }
            if (totalRows != _meta.NumRows)
                throw Fail($"row groups hold {totalRows} rows but FileMetaData.num_rows is {_meta.NumRows}");
            if (totalRows > Array.MaxLength) throw Fail($"{totalRows} rows is more than this reader supports");
            int n = (int)totalRows;

            var values = new Array[specs.Count];
            var defined = new bool[]?[specs.Count];
            for (int i = 0; i < specs.Count; i++)
            {
                values[i] = specs[i].Type switch
                {
                    ParquetType.Int32 => new int[n],
                    ParquetType.Int64 => new long[n],
                    ParquetType.Float => new float[n],
                    ParquetType.Double => new double[n],
                    ParquetType.Boolean => new bool[n],
                    _ => new string?[n],
                };
                if (specs[i].Optional) defined[i] = new bool[n];
            }

            int rowOffset = 0;
            for (int g = 0; g < _meta.RowGroups.Count; g++)
            {
                var rg = _meta.RowGroups[g];
                if (rg.Columns.Count != specs.Count)
                    throw Fail($"row group {g} has {rg.Columns.Count} column chunks; expected {specs.Count} (one per schema column)");
                for (int i = 0; i < specs.Count; i++)
                {
                    try
                    {
                        ReadChunk(rg.Columns[i], specs[i].El, specs[i].Type, specs[i].Optional, values[i], defined[i], rowOffset, (int)rg.NumRows, g);
                    }
                    catch (ParquetFormatException) { throw; }
                    catch (Exception ex) when (ex is InvalidDataException or ThriftFormatException or ArgumentException or IndexOutOfRangeException or InvalidCastException or OverflowException or DecoderFallbackException)
                    {
                        throw Fail($"corrupt data in column '{specs[i].El.Name}' of row group {g}: {ex.Message}", ex);
                    }
                }
                rowOffset += (int)rg.NumRows;
            }

            var columns = new List<Column>(specs.Count);
            for (int i = 0; i < specs.Count; i++)
            {
                if (specs[i].Type == ParquetType.String && !specs[i].Optional)
                {
                    var sv = (string?[])values[i];
                    for (int r = 0; r < sv.Length; r++) sv[r] ??= "";
                }
                columns.Add(new Column(specs[i].El.Name, specs[i].Type, values[i], defined[i], specs[i].Optional));
            }
            var md = new Dictionary<string, string>(StringComparer.Ordinal);
            if (_meta.KeyValueMetadata != null) foreach (var kv in _meta.KeyValueMetadata) md[kv.Key] = kv.Value ?? "";
            try { return new Table(columns, md); }
            catch (ArgumentException ex) { throw Fail($"invalid schema: {ex.Message}", ex); }
        }

        private ParquetType MapType(SchemaElement el)
        {
            string Unsupported(string what) => $"unsupported type {what} in column '{el.Name}' of file '{_file}'";
            if (el.ConvertedType == ConvertedType.Decimal || el.LogicalTypeId == 5)
                throw Fail(Unsupported($"DECIMAL({el.Precision},{el.Scale}) ({el.Type})"));
            return el.Type switch
            {
                PhysicalType.Boolean => ParquetType.Boolean,
                PhysicalType.Int32 when el.ConvertedType == ConvertedType.Uint32 => throw Fail(Unsupported("UINT_32")),
                PhysicalType.Int32 => ParquetType.Int32,
                PhysicalType.Int64 when el.ConvertedType == ConvertedType.Uint64 => throw Fail(Unsupported("UINT_64")),
                PhysicalType.Int64 => ParquetType.Int64,
                PhysicalType.Float => ParquetType.Float,
                PhysicalType.Double => ParquetType.Double,
                PhysicalType.ByteArray when el.ConvertedType is ConvertedType.Utf8 or ConvertedType.Enum or ConvertedType.Json
                                            || el.LogicalTypeId is 1 or 4 or 12 => ParquetType.String,
                PhysicalType.ByteArray => throw Fail(Unsupported("BYTE_ARRAY without STRING annotation (binary)")),
                _ => throw Fail(Unsupported(el.Type.ToString()!.ToUpperInvariant())),
            };
        }

        private void ReadChunk(ColumnChunk chunk, SchemaElement el, ParquetType type, bool optional, Array target, bool[]? defined,
            int rowOffset, int numRows, int rowGroup)
        {
            string col = el.Name;
            if (chunk.FilePath != null) throw Fail($"column '{col}' row group {rowGroup} lives in external file '{chunk.FilePath}'; not supported");
            var md = chunk.MetaData ?? throw Fail($"column '{col}' row group {rowGroup} has no ColumnMetaData");
            if (md.Type != el.Type) throw Fail($"column '{col}' row group {rowGroup}: chunk type {md.Type} differs from schema type {el.Type}");
            if (md.Codec is not (CompressionCodec.Uncompressed or CompressionCodec.Gzip or CompressionCodec.Snappy))
                throw Fail($"unsupported codec {CodecName(md.Codec)} in column '{col}' of file '{_file}' (supported: UNCOMPRESSED, GZIP, SNAPPY)");
            if (md.NumValues != numRows)
                throw Fail($"column '{col}' row group {rowGroup} has {md.NumValues} values; expected {numRows} (one per row, flat schema)");

            long start = md.DataPageOffset;
            if (md.DictionaryPageOffset is long dpo && dpo >= 4 && dpo < start) start = dpo;
            long dataEnd = _bytes.Length - 8 - BinaryPrimitives.ReadInt32LittleEndian(_bytes.AsSpan(_bytes.Length - 8, 4));
            long end = start + md.TotalCompressedSize;
            if (start < 4 || start >= dataEnd || md.TotalCompressedSize <= 0 || end > dataEnd)
                throw Fail($"column '{col}' row group {rowGroup}: chunk at offset {start} with {md.TotalCompressedSize} bytes lies outside the data area [4, {dataEnd}) - file truncated or corrupt");

            Array? dictionary = null;
            int done = 0;
            long pos = start;
            while (done < numRows)
            {
                if (pos >= end) throw Fail($"column '{col}' row group {rowGroup}: chunk ended after {done} of {numRows} values");
                var reader = new ThriftCompactReader(_bytes, (int)pos, (int)end);
                PageHeader ph;
                try { ph = PageHeader.Read(reader); }
                catch (ThriftFormatException ex) { throw Fail($"corrupt page header at offset {pos} in column '{col}' row group {rowGroup}: {ex.Message}", ex); }
                long payloadStart = reader.Position;
                long payloadEnd = payloadStart + ph.CompressedPageSize;
                if (payloadEnd > end) throw Fail($"column '{col}' row group {rowGroup}: page at offset {pos} declares {ph.CompressedPageSize} bytes, beyond the chunk end {end}");
                switch (ph.Type)
                {
                    case PageType.DictionaryPage:
                        {
                            var dh = ph.DictionaryPageHeader ?? throw Fail($"dictionary page without header in column '{col}'");
                            if (dh.Encoding is not (ParquetEncoding.Plain or ParquetEncoding.PlainDictionary))
                                throw Fail($"unsupported encoding {EncodingName(dh.Encoding)} (dictionary page) in column '{col}' of file '{_file}'");
                            var data = Decompress(md.Codec, (int)payloadStart, ph.CompressedPageSize, ph.UncompressedPageSize, col);
                            dictionary = DecodePlain(data, 0, data.Length, type, dh.NumValues, col);
                            break;
                        }
                    case PageType.DataPage:
                        {
                            var dh = ph.DataPageHeader ?? throw Fail($"data page without header in column '{col}'");
                            int count = Math.Min(dh.NumValues, numRows - done);
                            if (dh.NumValues > numRows - done) throw Fail($"column '{col}' row group {rowGroup}: page has {dh.NumValues} values but only {numRows - done} remain");
                            var data = Decompress(md.Codec, (int)payloadStart, ph.CompressedPageSize, ph.UncompressedPageSize, col);
                            int p = 0;
                            bool[] present;
                            if (optional)
                            {
                                if (dh.DefinitionLevelEncoding != ParquetEncoding.Rle)
                                    throw Fail($"unsupported encoding {EncodingName(dh.DefinitionLevelEncoding)} (definition levels) in column '{col}' of file '{_file}'");
                                if (data.Length < 4) throw Fail($"column '{col}': data page too short for definition levels");
                                int len = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(0, 4));
                                if (len < 0 || len > data.Length - 4) throw Fail($"column '{col}': definition level length {len} exceeds page size {data.Length}");
                                present = DecodeLevels(data.AsSpan(4, len), count);
                                p = 4 + len;
                            }
                            else present = AllTrue(count);
                            DecodeValuesInto(data, p, data.Length, dh.Encoding, type, dictionary, present, target, defined, rowOffset + done, col);
                            done += count;
                            break;
                        }
                    case PageType.DataPageV2:
                        {
                            var dh = ph.DataPageHeaderV2 ?? throw Fail($"data page v2 without header in column '{col}'");
                            if (dh.NumValues > numRows - done) throw Fail($"column '{col}' row group {rowGroup}: page has {dh.NumValues} values but only {numRows - done} remain");
                            int count = dh.NumValues;
                            int repLen = dh.RepetitionLevelsByteLength, defLen = dh.DefinitionLevelsByteLength;
                            if (repLen < 0 || defLen < 0 || repLen + defLen > ph.CompressedPageSize)
                                throw Fail($"column '{col}': data page v2 level lengths ({repLen}, {defLen}) exceed page size {ph.CompressedPageSize}");
                            if (repLen != 0) throw Fail($"column '{col}' has repetition levels; nested data is not supported");
                            bool[] present = optional
                                ? DecodeLevels(_bytes.AsSpan((int)payloadStart + repLen, defLen), count)
                                : AllTrue(count);
                            int valuesStart = (int)payloadStart + repLen + defLen;
                            int valuesCompressed = ph.CompressedPageSize - repLen - defLen;
                            int valuesUncompressed = ph.UncompressedPageSize - repLen - defLen;
                            byte[] data;
                            if (dh.IsCompressed && md.Codec != CompressionCodec.Uncompressed)
                                data = Decompress(md.Codec, valuesStart, valuesCompressed, valuesUncompressed, col);
                            else
                                data = _bytes.AsSpan(valuesStart, valuesCompressed).ToArray();
                            DecodeValuesInto(data, 0, data.Length, dh.Encoding, type, dictionary, present, target, defined, rowOffset + done, col);
                            done += count;
                            break;
                        }
                    default:
                        break; // index pages etc. are skipped
                }
                pos = payloadEnd;
            }
        }

        private static bool[] AllTrue(int n)
        {
            var a = new bool[n];
            Array.Fill(a, true);
            return a;
        }

        private static bool[] DecodeLevels(ReadOnlySpan<byte> data, int count)
        {
            var levels = new int[count];
            RleBitPackedHybrid.Decode(data, 1, levels);
            var present = new bool[count];
            for (int i = 0; i < count; i++)
            {
                if (levels[i] > 1) throw new InvalidDataException($"definition level {levels[i]} > 1 in a flat column");
                present[i] = levels[i] == 1;
            }
            return present;
        }

        private byte[] Decompress(CompressionCodec codec, int offset, int compressedSize, int uncompressedSize, string col)
        {
            try
            {
                return codec switch
                {
                    CompressionCodec.Uncompressed => compressedSize == uncompressedSize
                        ? _bytes.AsSpan(offset, compressedSize).ToArray()
                        : throw new InvalidDataException($"uncompressed page sizes differ ({compressedSize} vs {uncompressedSize})"),
                    CompressionCodec.Gzip => Gzip.Decompress(_bytes, offset, compressedSize, uncompressedSize),
                    CompressionCodec.Snappy => CheckSize(Snappy.Decompress(_bytes.AsSpan(offset, compressedSize)), uncompressedSize),
                    _ => throw Fail($"unsupported codec {CodecName(codec)} in column '{col}' of file '{_file}'"),
                };
            }
            catch (InvalidDataException ex)
            {
                throw Fail($"cannot decompress {CodecName(codec)} page at offset {offset} in column '{col}': {ex.Message}", ex);
            }
        }

        private static byte[] CheckSize(byte[] data, int expected) =>
            data.Length == expected ? data : throw new InvalidDataException($"decompressed {data.Length} bytes, page header said {expected}");

        private void DecodeValuesInto(byte[] data, int start, int end, ParquetEncoding encoding, ParquetType type, Array? dictionary,
            bool[] present, Array target, bool[]? defined, int targetOffset, string col)
        {
            int nonNull = 0;
            foreach (var p in present) if (p) nonNull++;
            Array decoded;
            switch (encoding)
            {
                case ParquetEncoding.Plain:
                    decoded = DecodePlain(data, start, end, type, nonNull, col);
                    break;
                case ParquetEncoding.PlainDictionary:
                case ParquetEncoding.RleDictionary:
                    {
                        if (dictionary == null) throw Fail($"column '{col}': dictionary-encoded page but no dictionary page precedes it");
                        var idx = new int[nonNull];
                        if (nonNull > 0)
                        {
                            if (start >= end) throw Fail($"column '{col}': dictionary page data is empty");
                            int bitWidth = data[start];
                            RleBitPackedHybrid.Decode(data.AsSpan(start + 1, end - start - 1), bitWidth, idx);
                        }
                        decoded = Array.CreateInstance(dictionary.GetType().GetElementType()!, nonNull);
                        int dictLen = dictionary.Length;
                        for (int i = 0; i < nonNull; i++)
                        {
                            if ((uint)idx[i] >= (uint)dictLen) throw Fail($"column '{col}': dictionary index {idx[i]} out of range (dictionary has {dictLen} entries)");
                        }
                        GatherDictionary(dictionary, idx, decoded);
                        break;
                    }
                case ParquetEncoding.Rle when type == ParquetType.Boolean:
                    {
                        if (end - start < 4) throw Fail($"column '{col}': RLE boolean data too short");
                        int len = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(start, 4));
                        if (len < 0 || len > end - start - 4) throw Fail($"column '{col}': RLE boolean length {len} exceeds page");
                        var bits = new int[nonNull];
                        RleBitPackedHybrid.Decode(data.AsSpan(start + 4, len), 1, bits);
                        var b = new bool[nonNull];
                        for (int i = 0; i < nonNull; i++) b[i] = bits[i] != 0;
                        decoded = b;
                        break;
                    }
                case ParquetEncoding.DeltaBinaryPacked when type is ParquetType.Int32 or ParquetType.Int64:
                    {
                        int p = 0;
                        var longs = DeltaEncodings.DecodeDeltaBinaryPacked(data.AsSpan(start, end - start), ref p, nonNull);
                        if (type == ParquetType.Int64) decoded = longs.AsSpan(0, nonNull).ToArray();
                        else
                        {
                            var ints = new int[nonNull];
                            for (int i = 0; i < nonNull; i++) ints[i] = unchecked((int)longs[i]);
                            decoded = ints;
                        }
                        break;
                    }
                case ParquetEncoding.DeltaLengthByteArray when type == ParquetType.String:
                case ParquetEncoding.DeltaByteArray when type == ParquetType.String:
                    {
                        int p = 0;
                        var arrays = encoding == ParquetEncoding.DeltaByteArray
                            ? DeltaEncodings.DecodeDeltaByteArray(data.AsSpan(start, end - start), ref p, nonNull)
                            : DeltaEncodings.DecodeDeltaLengthByteArray(data.AsSpan(start, end - start), ref p, nonNull);
                        decoded = arrays.Select(a => (string?)StrictUtf8.GetString(a)).ToArray();
                        break;
                    }
                case ParquetEncoding.ByteStreamSplit when type is ParquetType.Int32 or ParquetType.Int64 or ParquetType.Float or ParquetType.Double:
                    {
                        int width = type is ParquetType.Int32 or ParquetType.Float ? 4 : 8;
                        var plain = DeltaEncodings.UnsplitByteStreams(data.AsSpan(start, end - start), nonNull, width);
                        decoded = DecodePlain(plain, 0, plain.Length, type, nonNull, col);
                        break;
                    }
                default:
                    throw Fail($"unsupported encoding {EncodingName(encoding)} in column '{col}' of file '{_file}' (supported: PLAIN, PLAIN_DICTIONARY, RLE_DICTIONARY, RLE for booleans, DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT)");
            }

            // scatter
            int k = 0;
            for (int i = 0; i < present.Length; i++)
            {
                if (defined != null) defined[targetOffset + i] = present[i];
                if (!present[i]) continue;
                switch (type)
                {
                    case ParquetType.Int32: ((int[])target)[targetOffset + i] = ((int[])decoded)[k]; break;
                    case ParquetType.Int64: ((long[])target)[targetOffset + i] = ((long[])decoded)[k]; break;
                    case ParquetType.Float: ((float[])target)[targetOffset + i] = ((float[])decoded)[k]; break;
                    case ParquetType.Double: ((double[])target)[targetOffset + i] = ((double[])decoded)[k]; break;
                    case ParquetType.Boolean: ((bool[])target)[targetOffset + i] = ((bool[])decoded)[k]; break;
                    default: ((string?[])target)[targetOffset + i] = ((string?[])decoded)[k]; break;
                }
                k++;
            }
        }

        private static void GatherDictionary(Array dictionary, int[] idx, Array decoded)
        {
            switch (dictionary)
            {
                case int[] d: { var o = (int[])decoded; for (int i = 0; i < idx.Length; i++) o[i] = d[idx[i]]; break; }
                case long[] d: { var o = (long[])decoded; for (int i = 0; i < idx.Length; i++) o[i] = d[idx[i]]; break; }
                case float[] d: { var o = (float[])decoded; for (int i = 0; i < idx.Length; i++) o[i] = d[idx[i]]; break; }
                case double[] d: { var o = (double[])decoded; for (int i = 0; i < idx.Length; i++) o[i] = d[idx[i]]; break; }
                case bool[] d: { var o = (bool[])decoded; for (int i = 0; i < idx.Length; i++) o[i] = d[idx[i]]; break; }
                case string?[] d: { var o = (string?[])decoded; for (int i = 0; i < idx.Length; i++) o[i] = d[idx[i]]; break; }
            }
        }

        private Array DecodePlain(byte[] data, int start, int end, ParquetType type, int count, string col)
        {
            if (count < 0) throw Fail($"column '{col}': negative value count {count}");
            int avail = end - start;
            int width = type switch { ParquetType.Int32 or ParquetType.Float => 4, ParquetType.Int64 or ParquetType.Double => 8, _ => 0 };
            if (width > 0 && (long)count * width > avail)
                throw Fail($"column '{col}': page holds {avail} bytes of PLAIN data; expected {(long)count * width} for {count} values");
            var span = data.AsSpan(start, avail);
            switch (type)
            {
                case ParquetType.Int32: { var r = new int[count]; for (int i = 0; i < count; i++) r[i] = BinaryPrimitives.ReadInt32LittleEndian(span.Slice(i * 4)); return r; }
                case ParquetType.Int64: { var r = new long[count]; for (int i = 0; i < count; i++) r[i] = BinaryPrimitives.ReadInt64LittleEndian(span.Slice(i * 8)); return r; }
                case ParquetType.Float: { var r = new float[count]; for (int i = 0; i < count; i++) r[i] = BinaryPrimitives.ReadSingleLittleEndian(span.Slice(i * 4)); return r; }
                case ParquetType.Double: { var r = new double[count]; for (int i = 0; i < count; i++) r[i] = BinaryPrimitives.ReadDoubleLittleEndian(span.Slice(i * 8)); return r; }
                case ParquetType.Boolean:
                    {
                        if ((count + 7) / 8 > avail) throw Fail($"column '{col}': page holds {avail} bytes of PLAIN booleans; expected {(count + 7) / 8}");
                        var r = new bool[count];
                        for (int i = 0; i < count; i++) r[i] = (span[i >> 3] & (1 << (i & 7))) != 0;
                        return r;
                    }
                default:
                    {
                        var r = new string?[count];
                        int p = 0;
                        for (int i = 0; i < count; i++)
                        {
                            if (p + 4 > avail) throw Fail($"column '{col}': PLAIN string data truncated at value {i} of {count}");
                            int len = BinaryPrimitives.ReadInt32LittleEndian(span.Slice(p));
                            p += 4;
                            if (len < 0 || len > avail - p) throw Fail($"column '{col}': PLAIN string length {len} at value {i} exceeds page");
                            r[i] = StrictUtf8.GetString(span.Slice(p, len));
                            p += len;
                        }
                        return r;
                    }
            }
        }
    }

    internal static string CodecName(CompressionCodec c) => c switch
    {
        CompressionCodec.Uncompressed => "UNCOMPRESSED",
        CompressionCodec.Snappy => "SNAPPY",
        CompressionCodec.Gzip => "GZIP",
        CompressionCodec.Lzo => "LZO",
        CompressionCodec.Brotli => "BROTLI",
        CompressionCodec.Lz4 => "LZ4",
        CompressionCodec.Zstd => "ZSTD",
        CompressionCodec.Lz4Raw => "LZ4_RAW",
        _ => $"#{(int)c}",
    };

    internal static string EncodingName(ParquetEncoding e) => e switch
    {
        ParquetEncoding.Plain => "PLAIN",
        ParquetEncoding.PlainDictionary => "PLAIN_DICTIONARY",
        ParquetEncoding.Rle => "RLE",
        ParquetEncoding.BitPacked => "BIT_PACKED",
        ParquetEncoding.DeltaBinaryPacked => "DELTA_BINARY_PACKED",
        ParquetEncoding.DeltaLengthByteArray => "DELTA_LENGTH_BYTE_ARRAY",
        ParquetEncoding.DeltaByteArray => "DELTA_BYTE_ARRAY",
        ParquetEncoding.RleDictionary => "RLE_DICTIONARY",
        ParquetEncoding.ByteStreamSplit => "BYTE_STREAM_SPLIT",
        _ => $"#{(int)e}",
    };
}
