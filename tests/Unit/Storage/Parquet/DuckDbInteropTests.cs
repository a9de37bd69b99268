using System.Text.Json;
using MnistClaims.Storage.Parquet;

namespace MnistClaims.Tests.Unit.Storage.Parquet;

/// <summary>
/// Proves interop with DuckDB in both directions. Needs node + tools/duckdb/node_modules (`make setup`);
/// when missing these tests FAIL with that instruction.
/// </summary>
[TestFixture]
[Category("Integration")]
public class DuckDbInteropTests
{
    private string _dir = null!;

    [OneTimeSetUp]
    public void RequireDuckDb() => DuckDb.RequireInstalled();

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "mnist-claims-duck-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown()
    {
        try { Directory.Delete(_dir, true); } catch { }
    }

    // ------------------------------------------------------------------ DuckDB reads what we write

    [TestCase(ParquetCodec.Uncompressed, 1 << 20)]
    [TestCase(ParquetCodec.Gzip, 1 << 20)]
    [TestCase(ParquetCodec.Gzip, 6)]
    [TestCase(ParquetCodec.Snappy, 10)]
    [TestCase(ParquetCodec.Zstd, 1 << 20)]
    [TestCase(ParquetCodec.Uncompressed, 1)]
    public void DuckDb_Reads_Our_Files(ParquetCodec codec, int rowGroupSize)
    {
        var t = ParquetTestData.AllTypes(37);
        var path = Path.Combine(_dir, "ours.parquet");
        ParquetFile.Write(path, t, new ParquetWriteOptions { Codec = codec, RowGroupSize = rowGroupSize });

        var desc = DuckDb.Query($"DESCRIBE SELECT * FROM read_parquet({DuckDb.Quote(path)})");
        var types = desc.Rows.ToDictionary(r => r[0].GetString()!, r => r[1].GetString()!);
        Assert.That(types, Is.EqualTo(new Dictionary<string, string>
        {
            ["i32"] = "INTEGER", ["i64"] = "BIGINT", ["f32"] = "FLOAT", ["f64"] = "DOUBLE", ["b"] = "BOOLEAN", ["s"] = "VARCHAR",
            ["oi32"] = "INTEGER", ["oi64"] = "BIGINT", ["of32"] = "FLOAT", ["of64"] = "DOUBLE", ["ob"] = "BOOLEAN", ["os"] = "VARCHAR",
        }));

        var res = DuckDb.Query($"SELECT * FROM read_parquet({DuckDb.Quote(path)})");
        Assert.That(res.Rows, Has.Count.EqualTo(t.RowCount));
        for (int r = 0; r < t.RowCount; r++)
        {
            foreach (var c in t.Columns)
            {
                var cell = res.Rows[r][res.Col(c.Name)];
                var where = $"{c.Name}[{r}]";
                if (c.IsNull(r)) { Assert.That(cell.ValueKind, Is.EqualTo(JsonValueKind.Null), where); continue; }
                switch (c.Type)
                {
                    case ParquetType.Int32:
                    case ParquetType.Int64:
                        Assert.That(DuckDb.AsInt64(cell), Is.EqualTo(c.GetInt64(r)), where); break;
                    case ParquetType.Float:
                        Assert.That((float)DuckDb.AsDouble(cell), Is.EqualTo(c.FloatValues()[r]).Or.NaN, where);
                        if (float.IsNaN(c.FloatValues()[r])) Assert.That(DuckDb.AsDouble(cell), Is.NaN, where);
                        break;
                    case ParquetType.Double:
                        var expected = c.DoubleValues()[r];
                        if (double.IsNaN(expected)) Assert.That(DuckDb.AsDouble(cell), Is.NaN, where);
                        else Assert.That(BitConverter.DoubleToInt64Bits(DuckDb.AsDouble(cell)) == BitConverter.DoubleToInt64Bits(expected)
                                         || DuckDb.AsDouble(cell) == expected, Is.True, $"{where}: {cell} vs {expected:R}");
                        break;
                    case ParquetType.Boolean:
                        Assert.That(cell.GetBoolean(), Is.EqualTo(c.BooleanValues()[r]), where); break;
                    case ParquetType.String:
                        Assert.That(cell.GetString(), Is.EqualTo(c.GetString(r)), where); break;
                }
            }
        }
    }

    [Test]
    public void DuckDb_Sees_Metadata_And_RowGroups_And_Filters_Right()
    {
        var t = ParquetTestData.AllTypes(20);
        var path = Path.Combine(_dir, "meta.parquet");
        ParquetFile.Write(path, t, new ParquetWriteOptions { RowGroupSize = 8 });
        var q = DuckDb.Quote(path);

        var kv = DuckDb.Query($"SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata({q}) ORDER BY k");
        Assert.That(kv.Rows.Select(r => (r[0].GetString(), r[1].GetString())),
            Is.EqualTo(new[] { ("experiment", "exp-001"), ("seed", "42"), ("unicode", "ß→✓") }));

        var fm = DuckDb.Query($"SELECT created_by, num_rows, num_row_groups FROM parquet_file_metadata({q})");
        Assert.That(fm.Rows[0][0].GetString(), Does.StartWith("Parquet.Net"), "the library names itself; it has no setting for created_by");
        Assert.That(DuckDb.AsInt64(fm.Rows[0][1]), Is.EqualTo(20));
        Assert.That(DuckDb.AsInt64(fm.Rows[0][2]), Is.EqualTo(3));

        var codecs = DuckDb.Query($"SELECT DISTINCT compression FROM parquet_metadata({q})");
        Assert.That(codecs.Rows.Select(r => r[0].GetString()), Is.EqualTo(new[] { "GZIP" }));

        // DuckDB prunes row groups with the writer's statistics; the answers must still be the full ones.
        foreach (var (where, expected) in new (string, Func<int, bool>)[]
        {
            ("oi32 >= 16", r => !t["oi32"].IsNull(r) && t["oi32"].GetInt64(r) >= 16),
            ("s = 'héllo wörld'", r => t["s"].GetString(r) == "héllo wörld"),
            ("f64 > 0.2", r => t["f64"].DoubleValues()[r] is var x && (x > 0.2 || double.IsNaN(x))), // DuckDB orders NaN above all numbers; the column also holds -0.0 and a subnormal
            ("isnan(f64)", r => double.IsNaN(t["f64"].DoubleValues()[r])),
            ("os IS NULL", r => t["os"].IsNull(r)),
        })
        {
            var n = DuckDb.AsInt64(DuckDb.Query($"SELECT count(*) FROM read_parquet({q}) WHERE {where}").Rows[0][0]);
            Assert.That(n, Is.EqualTo(Enumerable.Range(0, t.RowCount).Count(expected)), where);
        }
    }

    [Test]
    public void DuckDb_Reads_Empty_Table()
    {
        var path = Path.Combine(_dir, "empty.parquet");
        ParquetFile.Write(path, new Table(new[] { Column.Double("x", Array.Empty<double>()), Column.OptionalString("s", Array.Empty<string?>()) }));
        var res = DuckDb.Query($"SELECT count(*) FROM read_parquet({DuckDb.Quote(path)})");
        Assert.That(DuckDb.AsInt64(res.Rows[0][0]), Is.EqualTo(0));
    }

    // ------------------------------------------------------------------ we read what DuckDB writes

    private const string DuckSource = """
        SELECT
          i::INTEGER AS i32,
          (i * 1000000007)::BIGINT AS i64,
          (i / 7.0)::FLOAT AS f32,
          (i / 3.0)::DOUBLE AS f64,
          (i % 3 = 0) AS b,
          'row-' || (i % 5) AS s,                                   -- low cardinality -> dictionary
          CASE WHEN i % 4 = 1 THEN NULL ELSE i END::INTEGER AS oi32,
          CASE WHEN i % 5 = 0 THEN NULL ELSE -i * 10000000000 END::BIGINT AS oi64,
          CASE WHEN i % 2 = 0 THEN NULL ELSE (i / 9.0) END::FLOAT AS of32,
          CASE WHEN i % 3 = 2 THEN NULL ELSE sqrt(i) END::DOUBLE AS of64,
          CASE WHEN i % 6 = 0 THEN NULL ELSE i % 4 = 0 END AS ob,
          CASE WHEN i % 7 = 3 THEN NULL ELSE 'ü-' || md5(i::VARCHAR) END AS os, -- high cardinality strings
          CASE WHEN i % 9 = 0 THEN NULL ELSE (i % 10) END::INTEGER AS dict_i,     -- dictionary + nulls
          ((i % 4) * 0.25)::DOUBLE AS dict_d,
          CASE WHEN i % 11 = 0 THEN NULL ELSE 'k' || (i % 3) END AS dict_os
        FROM range(0, 3000) t(i)
        """;

    [TestCase("uncompressed", "")]
    [TestCase("gzip", "")]
    [TestCase("snappy", "")]
    [TestCase("zstd", "")]
    [TestCase("snappy", ", ROW_GROUP_SIZE 1000")]
    [TestCase("uncompressed", ", DICTIONARY_SIZE_LIMIT 1")]
    public void We_Read_DuckDb_Files(string compression, string extra)
    {
        var path = Path.Combine(_dir, $"duck-{compression}.parquet");
        DuckDb.Query($"COPY ({DuckSource}) TO {DuckDb.Quote(path)} (FORMAT parquet, COMPRESSION {compression}{extra})");
        var expected = DuckDb.Query($"SELECT * FROM read_parquet({DuckDb.Quote(path)})");

        var meta = ParquetMeta.Read(path);
        TestContext.Out.WriteLine($"{compression}{extra}: row groups {meta.RowGroups.Count}, encodings " + Encodings(meta));

        var t = ParquetFile.Read(path);
        AssertMatchesDuck(t, expected);
        Assert.That(t["i32"].Optional, Is.True, "DuckDB writes nullable columns as OPTIONAL");
        Assert.That(t["s"].Type, Is.EqualTo(ParquetType.String));
        Assert.That(t["i64"].Type, Is.EqualTo(ParquetType.Int64));
        Assert.That(t["f32"].Type, Is.EqualTo(ParquetType.Float));
        Assert.That(t["oi32"].IsNull(1), Is.True);
    }

    [Test]
    public void We_Read_DuckDb_Dictionary_Encoded_Columns()
    {
        var path = Path.Combine(_dir, "dict.parquet");
        DuckDb.Query($"COPY ({DuckSource}) TO {DuckDb.Quote(path)} (FORMAT parquet, COMPRESSION snappy)");
        var s = ParquetMeta.Chunk(ParquetMeta.Read(path), 0, "s");
        Assert.That(s.Encodings, Has.Some.Matches<global::Parquet.Meta.Encoding>(e => e is global::Parquet.Meta.Encoding.RLE_DICTIONARY or global::Parquet.Meta.Encoding.PLAIN_DICTIONARY),
            "DuckDB is expected to dictionary-encode a 5-value string column");
        Assert.That(s.DictionaryPageOffset, Is.Not.Null);
        var t = ParquetFile.Read(path);
        Assert.That(Enumerable.Range(0, t.RowCount).Select(r => t["s"].GetString(r)).Distinct().Order(),
            Is.EqualTo(new[] { "row-0", "row-1", "row-2", "row-3", "row-4" }));
    }

    [TestCase("snappy")]
    [TestCase("gzip")]
    [TestCase("zstd")]
    [TestCase("uncompressed")]
    public void We_Read_DuckDb_V2_Files(string compression)
    {
        // PARQUET_VERSION V2: data page v2, DELTA_BINARY_PACKED ints, DELTA_LENGTH_BYTE_ARRAY strings,
        // BYTE_STREAM_SPLIT floats, RLE_DICTIONARY for low-cardinality columns.
        var path = Path.Combine(_dir, "v2.parquet");
        DuckDb.Query($"COPY ({DuckSource}) TO {DuckDb.Quote(path)} (FORMAT parquet, COMPRESSION {compression}, PARQUET_VERSION V2)");
        var meta = ParquetMeta.Read(path);
        var encodings = meta.RowGroups.SelectMany(g => g.Columns).SelectMany(c => c.MetaData!.Encodings).ToHashSet();
        TestContext.Out.WriteLine("V2 encodings: " + Encodings(meta));
        Assert.That(encodings, Is.SupersetOf(new[]
            {
                global::Parquet.Meta.Encoding.DELTA_BINARY_PACKED, global::Parquet.Meta.Encoding.BYTE_STREAM_SPLIT,
                global::Parquet.Meta.Encoding.DELTA_LENGTH_BYTE_ARRAY, global::Parquet.Meta.Encoding.RLE_DICTIONARY,
            }),
            "the V2 writer is expected to use the delta and dictionary encodings this test is about");
        var t = ParquetFile.Read(path);
        AssertMatchesDuck(t, DuckDb.Query($"SELECT * FROM read_parquet({DuckDb.Quote(path)})"));
    }

    [Test]
    public void Unsupported_Type_Is_Reported_With_Column_And_File()
    {
        var path = Path.Combine(_dir, "dec.parquet");
        DuckDb.Query($"COPY (SELECT 1.25::DECIMAL(10,2) AS price) TO {DuckDb.Quote(path)} (FORMAT parquet)");
        var ex = Assert.Throws<ParquetFormatException>(() => ParquetFile.Read(path));
        Assert.That(ex!.Message, Does.StartWith(path + ": ").And.Contain("unsupported type DECIMAL(10,2)").And.Contain("column 'price'"));
    }

    [Test]
    public void Round_Trip_Through_DuckDb()
    {
        // ours -> DuckDB -> ours
        var t = ParquetTestData.AllTypes(50);
        var ours = Path.Combine(_dir, "a.parquet");
        var theirs = Path.Combine(_dir, "b.parquet");
        ParquetFile.Write(ours, t);
        DuckDb.Query($"COPY (SELECT * FROM read_parquet({DuckDb.Quote(ours)})) TO {DuckDb.Quote(theirs)} (FORMAT parquet)");
        var back = ParquetFile.Read(theirs);
        Assert.That(back.RowCount, Is.EqualTo(t.RowCount));
        foreach (var c in t.Columns)
        {
            var b = back[c.Name];
            Assert.That(b.Type, Is.EqualTo(c.Type), c.Name);
            for (int r = 0; r < t.RowCount; r++)
            {
                Assert.That(b.IsNull(r), Is.EqualTo(c.IsNull(r)), $"{c.Name}[{r}]");
                if (!c.IsNull(r)) Assert.That(b.GetValue(r), Is.EqualTo(c.GetValue(r)).Or.NaN, $"{c.Name}[{r}]");
            }
        }
    }

    private static string Encodings(global::Parquet.Meta.FileMetaData meta) =>
        string.Join(" ", meta.RowGroups[0].Columns.Select(c => $"{c.MetaData!.PathInSchema[0]}=[{string.Join(",", c.MetaData.Encodings)}]"));

    private static void AssertMatchesDuck(Table t, DuckDb.Result expected)
    {
        Assert.That(t.RowCount, Is.EqualTo(expected.Rows.Count));
        Assert.That(t.Columns.Select(c => c.Name), Is.EqualTo(expected.Columns.Select(c => c.Name)));
        for (int ci = 0; ci < t.Columns.Count; ci++)
        {
            var c = t.Columns[ci];
            for (int r = 0; r < t.RowCount; r++)
            {
                var cell = expected.Rows[r][ci];
                var where = $"{c.Name}[{r}]";
                if (cell.ValueKind == JsonValueKind.Null) { Assert.That(c.IsNull(r), Is.True, where); continue; }
                Assert.That(c.IsNull(r), Is.False, where);
                switch (c.Type)
                {
                    case ParquetType.Int32:
                    case ParquetType.Int64: Assert.That(c.GetInt64(r), Is.EqualTo(DuckDb.AsInt64(cell)), where); break;
                    case ParquetType.Float: Assert.That(c.FloatValues()[r], Is.EqualTo((float)DuckDb.AsDouble(cell)), where); break;
                    case ParquetType.Double: Assert.That(c.DoubleValues()[r], Is.EqualTo(DuckDb.AsDouble(cell)), where); break;
                    case ParquetType.Boolean: Assert.That(c.BooleanValues()[r], Is.EqualTo(cell.GetBoolean()), where); break;
                    case ParquetType.String: Assert.That(c.GetString(r), Is.EqualTo(cell.GetString()), where); break;
                }
            }
        }
    }
}
