using MnistClaims.Storage.Parquet.Thrift;

namespace MnistClaims.Storage.Parquet.Format;

// Subset of parquet.thrift (https://github.com/apache/parquet-format/blob/master/src/main/thrift/parquet.thrift)
// needed for flat tables. Unknown fields are skipped when reading.

public enum PhysicalType { Boolean = 0, Int32 = 1, Int64 = 2, Int96 = 3, Float = 4, Double = 5, ByteArray = 6, FixedLenByteArray = 7 }
public enum FieldRepetitionType { Required = 0, Optional = 1, Repeated = 2 }
public enum ParquetEncoding { Plain = 0, PlainDictionary = 2, Rle = 3, BitPacked = 4, DeltaBinaryPacked = 5, DeltaLengthByteArray = 6, DeltaByteArray = 7, RleDictionary = 8, ByteStreamSplit = 9 }
public enum CompressionCodec { Uncompressed = 0, Snappy = 1, Gzip = 2, Lzo = 3, Brotli = 4, Lz4 = 5, Zstd = 6, Lz4Raw = 7 }
public enum PageType { DataPage = 0, IndexPage = 1, DictionaryPage = 2, DataPageV2 = 3 }

/// <summary>ConvertedType values used here (UTF8 = 0; the rest are only recognised to reject them).</summary>
public enum ConvertedType { Utf8 = 0, Map = 1, MapKeyValue = 2, List = 3, Enum = 4, Decimal = 5, Date = 6, TimeMillis = 7, TimeMicros = 8, TimestampMillis = 9, TimestampMicros = 10, Uint8 = 11, Uint16 = 12, Uint32 = 13, Uint64 = 14, Int8 = 15, Int16 = 16, Int32 = 17, Int64 = 18, Json = 19, Bson = 20, Interval = 21 }

internal static class ThriftHelpers
{
    public static void WriteStructList<T>(ThriftCompactWriter w, short id, IReadOnlyList<T> items, Action<T, ThriftCompactWriter> write)
    {
        w.FieldBegin(id, ThriftType.List);
        w.ListBegin(ThriftType.Struct, items.Count);
        foreach (var it in items) write(it, w);
    }

    public static List<T> ReadStructList<T>(ThriftCompactReader r, ThriftType fieldType, Func<ThriftCompactReader, T> read)
    {
        var (et, n) = r.ReadListHeader();
        var list = new List<T>(n);
        for (int i = 0; i < n; i++)
        {
            if (et != ThriftType.Struct) { r.Skip(et); continue; }
            list.Add(read(r));
        }
        return list;
    }

    public static void Expect(ThriftType actual, ThriftType expected, string what)
    {
        if (actual != expected) throw new ThriftFormatException($"{what}: expected thrift type {expected}, got {actual}");
    }

    public static T Required<T>(T? value, string what) where T : struct
        => value ?? throw new ThriftFormatException($"required field {what} is missing");

    public static T Required<T>(T? value, string what) where T : class
        => value ?? throw new ThriftFormatException($"required field {what} is missing");
}

public sealed class Statistics
{
    public byte[]? Max { get; set; }          // 1 (deprecated, signed compare)
    public byte[]? Min { get; set; }          // 2 (deprecated)
    public long? NullCount { get; set; }      // 3
    public long? DistinctCount { get; set; }  // 4
    public byte[]? MaxValue { get; set; }     // 5
    public byte[]? MinValue { get; set; }     // 6

    public void Write(ThriftCompactWriter w)
    {
        w.StructBegin();
        if (Max != null) w.BinaryField(1, Max);
        if (Min != null) w.BinaryField(2, Min);
        if (NullCount.HasValue) w.I64Field(3, NullCount.Value);
        if (DistinctCount.HasValue) w.I64Field(4, DistinctCount.Value);
        if (MaxValue != null) w.BinaryField(5, MaxValue);
        if (MinValue != null) w.BinaryField(6, MinValue);
        w.StructEnd();
    }

    public static Statistics Read(ThriftCompactReader r)
    {
        var s = new Statistics();
        r.StructBegin();
        while (r.ReadFieldHeader(out var id, out var t))
        {
            switch (id)
            {
                case 1 when t == ThriftType.Binary: s.Max = r.ReadBinary(); break;
                case 2 when t == ThriftType.Binary: s.Min = r.ReadBinary(); break;
                case 3 when t == ThriftType.I64: s.NullCount = r.ReadI64(); break;
                case 4 when t == ThriftType.I64: s.DistinctCount = r.ReadI64(); break;
                case 5 when t == ThriftType.Binary: s.MaxValue = r.ReadBinary(); break;
                case 6 when t == ThriftType.Binary: s.MinValue = r.ReadBinary(); break;
                default: r.Skip(t); break;
            }
        }
        r.StructEnd();
        return s;
    }
}

public sealed class SchemaElement
{
    public PhysicalType? Type { get; set; }                 // 1
    public int? TypeLength { get; set; }                    // 2
    public FieldRepetitionType? RepetitionType { get; set; } // 3
    public string Name { get; set; } = "";                  // 4 required
    public int? NumChildren { get; set; }                   // 5
    public ConvertedType? ConvertedType { get; set; }       // 6
    public int? Scale { get; set; }                         // 7
    public int? Precision { get; set; }                     // 8
    public int? FieldId { get; set; }                       // 9
    /// <summary>Field id of the LogicalType union member that is set (1 = STRING, 5 = DECIMAL, ...), or null.</summary>
    public short? LogicalTypeId { get; set; }               // 10

    public void Write(ThriftCompactWriter w)
    {
        w.StructBegin();
        if (Type.HasValue) w.I32Field(1, (int)Type.Value);
        if (TypeLength.HasValue) w.I32Field(2, TypeLength.Value);
        if (RepetitionType.HasValue) w.I32Field(3, (int)RepetitionType.Value);
        w.StringField(4, Name);
        if (NumChildren.HasValue) w.I32Field(5, NumChildren.Value);
        if (ConvertedType.HasValue) w.I32Field(6, (int)ConvertedType.Value);
        if (Scale.HasValue) w.I32Field(7, Scale.Value);
        if (Precision.HasValue) w.I32Field(8, Precision.Value);
        if (FieldId.HasValue) w.I32Field(9, FieldId.Value);
        if (LogicalTypeId.HasValue)
        {
            // LogicalType is a union of (mostly empty) structs; we only ever write empty members such as STRING.
            w.FieldBegin(10, ThriftType.Struct);
            w.StructBegin();
            w.FieldBegin(LogicalTypeId.Value, ThriftType.Struct);
            w.StructBegin();
            w.StructEnd();
            w.StructEnd();
        }
        w.StructEnd();
    }

    public static SchemaElement Read(ThriftCompactReader r)
    {
        var e = new SchemaElement();
        string? name = null;
        r.StructBegin();
        while (r.ReadFieldHeader(out var id, out var t))
        {
            switch (id)
            {
                case 1 when t == ThriftType.I32: e.Type = (PhysicalType)r.ReadI32(); break;
                case 2 when t == ThriftType.I32: e.TypeLength = r.ReadI32(); break;
                case 3 when t == ThriftType.I32: e.RepetitionType = (FieldRepetitionType)r.ReadI32(); break;
                case 4 when t == ThriftType.Binary: name = r.ReadString(); break;
                case 5 when t == ThriftType.I32: e.NumChildren = r.ReadI32(); break;
                case 6 when t == ThriftType.I32: e.ConvertedType = (ConvertedType)r.ReadI32(); break;
                case 7 when t == ThriftType.I32: e.Scale = r.ReadI32(); break;
                case 8 when t == ThriftType.I32: e.Precision = r.ReadI32(); break;
                case 9 when t == ThriftType.I32: e.FieldId = r.ReadI32(); break;
                case 10 when t == ThriftType.Struct:
                    r.StructBegin();
                    while (r.ReadFieldHeader(out var lid, out var lt))
                    {
                        e.LogicalTypeId ??= lid;
                        r.Skip(lt);
                    }
                    r.StructEnd();
                    break;
                default: r.Skip(t); break;
            }
        }
        r.StructEnd();
        e.Name = ThriftHelpers.Required(name, "SchemaElement.name");
        return e;
    }
}

public sealed class KeyValue
{
    public string Key { get; set; } = "";
    public string? Value { get; set; }

    public void Write(ThriftCompactWriter w)
    {
        w.StructBegin();
        w.StringField(1, Key);
        if (Value != null) w.StringField(2, Value);
        w.StructEnd();
    }

    public static KeyValue Read(ThriftCompactReader r)
    {
        string? key = null, value = null;
        r.StructBegin();
        while (r.ReadFieldHeader(out var id, out var t))
        {
            switch (id)
            {
                case 1 when t == ThriftType.Binary: key = r.ReadString(); break;
                case 2 when t == ThriftType.Binary: value = r.ReadString(); break;
                default: r.Skip(t); break;
            }
        }
        r.StructEnd();
        return new KeyValue { Key = ThriftHelpers.Required(key, "KeyValue.key"), Value = value };
    }
}

public sealed class ColumnMetaData
{
    public PhysicalType Type { get; set; }                          // 1
    public List<ParquetEncoding> Encodings { get; set; } = new();          // 2
    public List<string> PathInSchema { get; set; } = new();         // 3
    public CompressionCodec Codec { get; set; }                     // 4
    public long NumValues { get; set; }                             // 5
    public long TotalUncompressedSize { get; set; }                 // 6
    public long TotalCompressedSize { get; set; }                   // 7
    public long DataPageOffset { get; set; }                        // 9
    public long? IndexPageOffset { get; set; }                      // 10
    public long? DictionaryPageOffset { get; set; }                 // 11
    public Statistics? Statistics { get; set; }                     // 12

    public void Write(ThriftCompactWriter w)
    {
        w.StructBegin();
        w.I32Field(1, (int)Type);
        w.FieldBegin(2, ThriftType.List);
        w.ListBegin(ThriftType.I32, Encodings.Count);
        foreach (var e in Encodings) w.WriteI32((int)e);
        w.FieldBegin(3, ThriftType.List);
        w.ListBegin(ThriftType.Binary, PathInSchema.Count);
        foreach (var p in PathInSchema) w.WriteString(p);
        w.I32Field(4, (int)Codec);
        w.I64Field(5, NumValues);
        w.I64Field(6, TotalUncompressedSize);
        w.I64Field(7, TotalCompressedSize);
        w.I64Field(9, DataPageOffset);
        if (IndexPageOffset.HasValue) w.I64Field(10, IndexPageOffset.Value);
        if (DictionaryPageOffset.HasValue) w.I64Field(11, DictionaryPageOffset.Value);
        if (Statistics != null)
        {
            w.FieldBegin(12, ThriftType.Struct);
            Statistics.Write(w);
        }
        w.StructEnd();
    }

    public static ColumnMetaData Read(ThriftCompactReader r)
    {
        var m = new ColumnMetaData();
        bool hasType = false, hasCodec = false, hasNum = false, hasDpo = false;
        r.StructBegin();
        while (r.ReadFieldHeader(out var id, out var t))
        {
            switch (id)
            {
                case 1 when t == ThriftType.I32: m.Type = (PhysicalType)r.ReadI32(); hasType = true; break;
                case 2 when t == ThriftType.List:
                    {
                        var (et, n) = r.ReadListHeader();
                        for (int i = 0; i < n; i++)
                        {
                            if (et == ThriftType.I32) m.Encodings.Add((ParquetEncoding)r.ReadI32()); else r.Skip(et);
                        }
                        break;
                    }
                case 3 when t == ThriftType.List:
                    {
                        var (et, n) = r.ReadListHeader();
                        for (int i = 0; i < n; i++)
                        {
                            if (et == ThriftType.Binary) m.PathInSchema.Add(r.ReadString()); else r.Skip(et);
                        }
                        break;
                    }
                case 4 when t == ThriftType.I32: m.Codec = (CompressionCodec)r.ReadI32(); hasCodec = true; break;
                case 5 when t == ThriftType.I64: m.NumValues = r.ReadI64(); hasNum = true; break;
                case 6 when t == ThriftType.I64: m.TotalUncompressedSize = r.ReadI64(); break;
                case 7 when t == ThriftType.I64: m.TotalCompressedSize = r.ReadI64(); break;
                case 9 when t == ThriftType.I64: m.DataPageOffset = r.ReadI64(); hasDpo = true; break;
                case 10 when t == ThriftType.I64: m.IndexPageOffset = r.ReadI64(); break;
                case 11 when t == ThriftType.I64: m.DictionaryPageOffset = r.ReadI64(); break;
                case 12 when t == ThriftType.Struct: m.Statistics = Statistics.Read(r); break;
                default: r.Skip(t); break;
            }
        }
        r.StructEnd();
        if (!hasType) throw new ThriftFormatException("required field ColumnMetaData.type is missing");
        if (!hasCodec) throw new ThriftFormatException("required field ColumnMetaData.codec is missing");
        if (!hasNum) throw new ThriftFormatException("required field ColumnMetaData.num_values is missing");
        if (!hasDpo) throw new ThriftFormatException("required field ColumnMetaData.data_page_offset is missing");
        return m;
    }
}

public sealed class ColumnChunk
{
    public string? FilePath { get; set; }          // 1
    public long FileOffset { get; set; }           // 2
    public ColumnMetaData? MetaData { get; set; }  // 3

    public void Write(ThriftCompactWriter w)
    {
        w.StructBegin();
        if (FilePath != null) w.StringField(1, FilePath);
        w.I64Field(2, FileOffset);
        if (MetaData != null)
        {
            w.FieldBegin(3, ThriftType.Struct);
            MetaData.Write(w);
        }
        w.StructEnd();
    }

    public static ColumnChunk Read(ThriftCompactReader r)
    {
        var c = new ColumnChunk();
        r.StructBegin();
        while (r.ReadFieldHeader(out var id, out var t))
        {
            switch (id)
            {
                case 1 when t == ThriftType.Binary: c.FilePath = r.ReadString(); break;
                case 2 when t == ThriftType.I64: c.FileOffset = r.ReadI64(); break;
                case 3 when t == ThriftType.Struct: c.MetaData = ColumnMetaData.Read(r); break;
                default: r.Skip(t); break;
            }
        }
        r.StructEnd();
        return c;
    }
}

public sealed class RowGroup
{
    public List<ColumnChunk> Columns { get; set; } = new();  // 1
    public long TotalByteSize { get; set; }                  // 2
    public long NumRows { get; set; }                        // 3
    public long? FileOffset { get; set; }                    // 5
    public long? TotalCompressedSize { get; set; }           // 6
    public short? Ordinal { get; set; }                      // 7

    public void Write(ThriftCompactWriter w)
    {
        w.StructBegin();
        ThriftHelpers.WriteStructList(w, 1, Columns, (c, ww) => c.Write(ww));
        w.I64Field(2, TotalByteSize);
        w.I64Field(3, NumRows);
        if (FileOffset.HasValue) w.I64Field(5, FileOffset.Value);
        if (TotalCompressedSize.HasValue) w.I64Field(6, TotalCompressedSize.Value);
        if (Ordinal.HasValue) w.I16Field(7, Ordinal.Value);
        w.StructEnd();
    }

    public static RowGroup Read(ThriftCompactReader r)
    {
        var g = new RowGroup();
        bool hasRows = false;
        r.StructBegin();
        while (r.ReadFieldHeader(out var id, out var t))
        {
            switch (id)
            {
                case 1 when t == ThriftType.List: g.Columns = ThriftHelpers.ReadStructList(r, t, ColumnChunk.Read); break;
                case 2 when t == ThriftType.I64: g.TotalByteSize = r.ReadI64(); break;
                case 3 when t == ThriftType.I64: g.NumRows = r.ReadI64(); hasRows = true; break;
                case 5 when t == ThriftType.I64: g.FileOffset = r.ReadI64(); break;
                case 6 when t == ThriftType.I64: g.TotalCompressedSize = r.ReadI64(); break;
                case 7 when t == ThriftType.I16: g.Ordinal = r.ReadI16(); break;
                default: r.Skip(t); break;
            }
        }
        r.StructEnd();
        if (!hasRows) throw new ThriftFormatException("required field RowGroup.num_rows is missing");
        return g;
    }
}

public sealed class FileMetaData
{
    public int Version { get; set; } = 1;                          // 1
    public List<SchemaElement> Schema { get; set; } = new();       // 2
    public long NumRows { get; set; }                              // 3
    public List<RowGroup> RowGroups { get; set; } = new();         // 4
    public List<KeyValue>? KeyValueMetadata { get; set; }          // 5
    public string? CreatedBy { get; set; }                         // 6
    /// <summary>Number of TYPE_ORDER column orders written (field 7); 0 = field omitted.</summary>
    public int ColumnOrderCount { get; set; }                      // 7

    public void Write(ThriftCompactWriter w)
    {
        w.StructBegin();
        w.I32Field(1, Version);
        ThriftHelpers.WriteStructList(w, 2, Schema, (s, ww) => s.Write(ww));
        w.I64Field(3, NumRows);
        ThriftHelpers.WriteStructList(w, 4, RowGroups, (g, ww) => g.Write(ww));
        if (KeyValueMetadata != null) ThriftHelpers.WriteStructList(w, 5, KeyValueMetadata, (kv, ww) => kv.Write(ww));
        if (CreatedBy != null) w.StringField(6, CreatedBy);
        if (ColumnOrderCount > 0)
        {
            // list<ColumnOrder>, ColumnOrder is a union whose member 1 is TypeDefinedOrder (empty struct)
            w.FieldBegin(7, ThriftType.List);
            w.ListBegin(ThriftType.Struct, ColumnOrderCount);
            for (int i = 0; i < ColumnOrderCount; i++)
            {
                w.StructBegin();
                w.FieldBegin(1, ThriftType.Struct);
                w.StructBegin();
                w.StructEnd();
                w.StructEnd();
            }
        }
        w.StructEnd();
    }

    public static FileMetaData Read(ThriftCompactReader r)
    {
        var f = new FileMetaData();
        bool hasSchema = false, hasRows = false, hasGroups = false;
        r.StructBegin();
        while (r.ReadFieldHeader(out var id, out var t))
        {
            switch (id)
            {
                case 1 when t == ThriftType.I32: f.Version = r.ReadI32(); break;
                case 2 when t == ThriftType.List: f.Schema = ThriftHelpers.ReadStructList(r, t, SchemaElement.Read); hasSchema = true; break;
                case 3 when t == ThriftType.I64: f.NumRows = r.ReadI64(); hasRows = true; break;
                case 4 when t == ThriftType.List: f.RowGroups = ThriftHelpers.ReadStructList(r, t, RowGroup.Read); hasGroups = true; break;
                case 5 when t == ThriftType.List: f.KeyValueMetadata = ThriftHelpers.ReadStructList(r, t, KeyValue.Read); break;
                case 6 when t == ThriftType.Binary: f.CreatedBy = r.ReadString(); break;
                case 7 when t == ThriftType.List:
                    {
                        var (et, n) = r.ReadListHeader();
                        for (int i = 0; i < n; i++) r.Skip(et);
                        f.ColumnOrderCount = n;
                        break;
                    }
                default: r.Skip(t); break;
            }
        }
        r.StructEnd();
        if (!hasSchema) throw new ThriftFormatException("required field FileMetaData.schema is missing");
        if (!hasRows) throw new ThriftFormatException("required field FileMetaData.num_rows is missing");
        if (!hasGroups) throw new ThriftFormatException("required field FileMetaData.row_groups is missing");
        return f;
    }
}

public sealed class DataPageHeader
{
    public int NumValues { get; set; }
    public ParquetEncoding Encoding { get; set; }
    public ParquetEncoding DefinitionLevelEncoding { get; set; } = ParquetEncoding.Rle;
    public ParquetEncoding RepetitionLevelEncoding { get; set; } = ParquetEncoding.Rle;

    public void Write(ThriftCompactWriter w)
    {
        w.StructBegin();
        w.I32Field(1, NumValues);
        w.I32Field(2, (int)Encoding);
        w.I32Field(3, (int)DefinitionLevelEncoding);
        w.I32Field(4, (int)RepetitionLevelEncoding);
        w.StructEnd();
    }

    public static DataPageHeader Read(ThriftCompactReader r)
    {
        var h = new DataPageHeader();
        r.StructBegin();
        while (r.ReadFieldHeader(out var id, out var t))
        {
            switch (id)
            {
                case 1 when t == ThriftType.I32: h.NumValues = r.ReadI32(); break;
                case 2 when t == ThriftType.I32: h.Encoding = (ParquetEncoding)r.ReadI32(); break;
                case 3 when t == ThriftType.I32: h.DefinitionLevelEncoding = (ParquetEncoding)r.ReadI32(); break;
                case 4 when t == ThriftType.I32: h.RepetitionLevelEncoding = (ParquetEncoding)r.ReadI32(); break;
                default: r.Skip(t); break;
            }
        }
        r.StructEnd();
        return h;
    }
}

public sealed class DataPageHeaderV2
{
    public int NumValues { get; set; }
    public int NumNulls { get; set; }
    public int NumRows { get; set; }
    public ParquetEncoding Encoding { get; set; }
    public int DefinitionLevelsByteLength { get; set; }
    public int RepetitionLevelsByteLength { get; set; }
    public bool IsCompressed { get; set; } = true;

    public static DataPageHeaderV2 Read(ThriftCompactReader r)
    {
        var h = new DataPageHeaderV2();
        r.StructBegin();
        while (r.ReadFieldHeader(out var id, out var t))
        {
            switch (id)
            {
                case 1 when t == ThriftType.I32: h.NumValues = r.ReadI32(); break;
                case 2 when t == ThriftType.I32: h.NumNulls = r.ReadI32(); break;
                case 3 when t == ThriftType.I32: h.NumRows = r.ReadI32(); break;
                case 4 when t == ThriftType.I32: h.Encoding = (ParquetEncoding)r.ReadI32(); break;
                case 5 when t == ThriftType.I32: h.DefinitionLevelsByteLength = r.ReadI32(); break;
                case 6 when t == ThriftType.I32: h.RepetitionLevelsByteLength = r.ReadI32(); break;
                case 7 when t is ThriftType.BoolTrue or ThriftType.BoolFalse: h.IsCompressed = r.ReadBool(); break;
                default: r.Skip(t); break;
            }
        }
        r.StructEnd();
        return h;
    }
}

public sealed class DictionaryPageHeader
{
    public int NumValues { get; set; }
    public ParquetEncoding Encoding { get; set; }

    public static DictionaryPageHeader Read(ThriftCompactReader r)
    {
        var h = new DictionaryPageHeader();
        r.StructBegin();
        while (r.ReadFieldHeader(out var id, out var t))
        {
            switch (id)
            {
                case 1 when t == ThriftType.I32: h.NumValues = r.ReadI32(); break;
                case 2 when t == ThriftType.I32: h.Encoding = (ParquetEncoding)r.ReadI32(); break;
                default: r.Skip(t); break;
            }
        }
        r.StructEnd();
        return h;
    }
}

public sealed class PageHeader
{
    public PageType Type { get; set; }
    public int UncompressedPageSize { get; set; }
    public int CompressedPageSize { get; set; }
    public DataPageHeader? DataPageHeader { get; set; }
    public DictionaryPageHeader? DictionaryPageHeader { get; set; }
    public DataPageHeaderV2? DataPageHeaderV2 { get; set; }

    public void Write(ThriftCompactWriter w)
    {
        w.StructBegin();
        w.I32Field(1, (int)Type);
        w.I32Field(2, UncompressedPageSize);
        w.I32Field(3, CompressedPageSize);
        if (DataPageHeader != null)
        {
            w.FieldBegin(5, ThriftType.Struct);
            DataPageHeader.Write(w);
        }
        w.StructEnd();
    }

    public static PageHeader Read(ThriftCompactReader r)
    {
        var h = new PageHeader();
        bool hasType = false, hasU = false, hasC = false;
        r.StructBegin();
        while (r.ReadFieldHeader(out var id, out var t))
        {
            switch (id)
            {
                case 1 when t == ThriftType.I32: h.Type = (PageType)r.ReadI32(); hasType = true; break;
                case 2 when t == ThriftType.I32: h.UncompressedPageSize = r.ReadI32(); hasU = true; break;
                case 3 when t == ThriftType.I32: h.CompressedPageSize = r.ReadI32(); hasC = true; break;
                case 5 when t == ThriftType.Struct: h.DataPageHeader = DataPageHeader.Read(r); break;
                case 7 when t == ThriftType.Struct: h.DictionaryPageHeader = DictionaryPageHeader.Read(r); break;
                case 8 when t == ThriftType.Struct: h.DataPageHeaderV2 = DataPageHeaderV2.Read(r); break;
                default: r.Skip(t); break;
            }
        }
        r.StructEnd();
        if (!hasType || !hasU || !hasC) throw new ThriftFormatException("PageHeader is missing type/uncompressed_page_size/compressed_page_size");
        if (h.CompressedPageSize < 0 || h.UncompressedPageSize < 0) throw new ThriftFormatException("PageHeader has a negative page size");
        return h;
    }
}
