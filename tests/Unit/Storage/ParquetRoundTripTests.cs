using System.Buffers.Binary;
using System.Text;
using MnistClaims.Storage.Parquet;
using MnistClaims.Storage.Parquet.Format;

namespace MnistClaims.Tests.Unit.Storage;

[TestFixture]
public class ParquetRoundTripTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "mnist-claims-parquet-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown()
    {
        try { Directory.Delete(_dir, true); } catch { }
    }

    [TestCase(ParquetCodec.Uncompressed)]
    [TestCase(ParquetCodec.Gzip)]
    public void AllTypes_RoundTrip(ParquetCodec codec)
    {
        var t = ParquetTestData.AllTypes();
        var bytes = ParquetFile.WriteToBytes(t, new ParquetWriteOptions { Codec = codec });
        var back = ParquetFile.Read(bytes, "mem.parquet");
        ParquetTestData.AssertTablesEqual(back, t);
        Assert.That(back.Metadata, Is.EquivalentTo(t.Metadata));
    }

    [TestCase(ParquetCodec.Uncompressed, 1)]
    [TestCase(ParquetCodec.Gzip, 7)]
    [TestCase(ParquetCodec.Gzip, 36)]
    [TestCase(ParquetCodec.Gzip, 37)]
    [TestCase(ParquetCodec.Uncompressed, 1000)]
    public void MultipleRowGroups_RoundTrip(ParquetCodec codec, int rowGroupSize)
    {
        var t = ParquetTestData.AllTypes(37);
        var path = Path.Combine(_dir, "t.parquet");
        ParquetFile.Write(path, t, new ParquetWriteOptions { Codec = codec, RowGroupSize = rowGroupSize });
        var meta = ParquetFile.ReadMetadata(path);
        Assert.That(meta.RowGroups, Has.Count.EqualTo((37 + rowGroupSize - 1) / rowGroupSize));
        Assert.That(meta.RowGroups.Sum(g => g.NumRows), Is.EqualTo(37));
        ParquetTestData.AssertTablesEqual(ParquetFile.Read(path), t);
    }

    [Test]
    public void EmptyTable_AndZeroRowTable_RoundTrip()
    {
        var empty = new Table(Array.Empty<Column>());
        Assert.That(ParquetFile.Read(ParquetFile.WriteToBytes(empty), "e").Columns, Is.Empty);
        var zero = new Table(new[] { Column.Double("x", Array.Empty<double>()), Column.OptionalString("s", Array.Empty<string?>()) });
        var back = ParquetFile.Read(ParquetFile.WriteToBytes(zero), "z");
        Assert.That(back.RowCount, Is.EqualTo(0));
        Assert.That(back["s"].Optional, Is.True);
        Assert.That(back["x"].Type, Is.EqualTo(ParquetType.Double));
    }

    [Test]
    public void AllNullColumn_RoundTrips_AndHasNoMinMax()
    {
        var t = new Table(new[] { Column.Double("x", new double?[] { null, null, null }) });
        var bytes = ParquetFile.WriteToBytes(t);
        var back = ParquetFile.Read(bytes, "n");
        Assert.That(Enumerable.Range(0, 3).All(back["x"].IsNull), Is.True);
        var st = ParquetFile.ReadMetadata(bytes, "n").RowGroups[0].Columns[0].MetaData!.Statistics!;
        Assert.That(st.NullCount, Is.EqualTo(3));
        Assert.That(st.MinValue, Is.Null);
        Assert.That(st.MaxValue, Is.Null);
    }

    [Test]
    public void Statistics_MinMaxNullCount_PerRowGroup()
    {
        var t = new Table(new[]
        {
            Column.Int32("i", new[] { 5, -3, 9, 2 }),
            Column.Double("d", new[] { double.NaN, 2.5, -1.0, 0.0 }),
            Column.Float("f", new float?[] { null, 1.5f, float.NaN, -2f }),
            Column.OptionalString("s", new[] { "b", null, "a", "\u00e9" }),  // é (C3 A9) sorts after ASCII bytewise
            Column.Boolean("b", new[] { true, true, true, true }),
        });
        var meta = ParquetFile.ReadMetadata(ParquetFile.WriteToBytes(t, new ParquetWriteOptions { RowGroupSize = 4 }), "s");
        var cols = meta.RowGroups.Single().Columns.Select(c => c.MetaData!.Statistics!).ToArray();
        Assert.That(BinaryPrimitives.ReadInt32LittleEndian(cols[0].MinValue), Is.EqualTo(-3));
        Assert.That(BinaryPrimitives.ReadInt32LittleEndian(cols[0].MaxValue), Is.EqualTo(9));
        Assert.That(cols[0].NullCount, Is.EqualTo(0));
        Assert.That(BinaryPrimitives.ReadDoubleLittleEndian(cols[1].MinValue), Is.EqualTo(-1.0));
        Assert.That(BinaryPrimitives.ReadDoubleLittleEndian(cols[1].MaxValue), Is.EqualTo(2.5));
        Assert.That(BinaryPrimitives.ReadSingleLittleEndian(cols[2].MinValue), Is.EqualTo(-2f));
        Assert.That(BinaryPrimitives.ReadSingleLittleEndian(cols[2].MaxValue), Is.EqualTo(1.5f));
        Assert.That(cols[2].NullCount, Is.EqualTo(1));
        Assert.That(Encoding.UTF8.GetString(cols[3].MinValue!), Is.EqualTo("a"));
        Assert.That(Encoding.UTF8.GetString(cols[3].MaxValue!), Is.EqualTo("\u00e9"));
        Assert.That(cols[3].NullCount, Is.EqualTo(1));
        Assert.That(cols[4].MinValue, Is.EqualTo(new byte[] { 1 }));
        Assert.That(cols[4].MaxValue, Is.EqualTo(new byte[] { 1 }));

        var split = ParquetFile.ReadMetadata(ParquetFile.WriteToBytes(t, new ParquetWriteOptions { RowGroupSize = 2 }), "s");
        Assert.That(BinaryPrimitives.ReadInt32LittleEndian(split.RowGroups[1].Columns[0].MetaData!.Statistics!.MinValue), Is.EqualTo(2));
        Assert.That(split.RowGroups[0].Columns[1].MetaData!.Statistics!.MinValue, Is.Not.Null, "NaN skipped, 2.5 remains");
    }

    [Test]
    public void Footer_HasRequiredFields_ExactSizes_AndCreatedBy()
    {
        var t = ParquetTestData.AllTypes(10);
        var bytes = ParquetFile.WriteToBytes(t, new ParquetWriteOptions { CreatedBy = "mnist-claims test", RowGroupSize = 4 });
        var meta = ParquetFile.ReadMetadata(bytes, "f");
        Assert.That(meta.CreatedBy, Is.EqualTo("mnist-claims test"));
        Assert.That(meta.NumRows, Is.EqualTo(10));
        Assert.That(meta.Version, Is.EqualTo(1));
        Assert.That(meta.Schema[0].NumChildren, Is.EqualTo(12));
        Assert.That(meta.Schema.Single(s => s.Name == "s").ConvertedType, Is.EqualTo(ConvertedType.Utf8));
        Assert.That(meta.Schema.Single(s => s.Name == "s").LogicalTypeId, Is.EqualTo(1));
        Assert.That(meta.Schema.Single(s => s.Name == "os").RepetitionType, Is.EqualTo(FieldRepetitionType.Optional));
        Assert.That(meta.KeyValueMetadata!.Select(k => k.Key), Is.EquivalentTo(new[] { "experiment", "seed", "unicode" }));
        long expectedNext = 4;
        foreach (var rg in meta.RowGroups)
        {
            Assert.That(rg.FileOffset, Is.EqualTo(expectedNext));
            long sum = 0;
            foreach (var cc in rg.Columns)
            {
                var md = cc.MetaData!;
                Assert.That(cc.FileOffset, Is.EqualTo(md.DataPageOffset));
                Assert.That(md.DataPageOffset, Is.EqualTo(expectedNext), "chunks are contiguous: sizes are exact");
                Assert.That(md.PathInSchema, Has.Count.EqualTo(1));
                expectedNext += md.TotalCompressedSize;
                sum += md.TotalUncompressedSize;
                Assert.That(md.NumValues, Is.EqualTo(rg.NumRows));
            }
            Assert.That(rg.TotalByteSize, Is.EqualTo(sum));
        }
        int footerLen = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(bytes.Length - 8));
        Assert.That(expectedNext, Is.EqualTo(bytes.Length - 8 - footerLen), "footer starts right after the last chunk");
    }

    [Test]
    public void Write_IsAtomic_OverwritesAndLeavesNoTempFiles()
    {
        var path = Path.Combine(_dir, "sub", "x.parquet");
        ParquetFile.Write(path, ParquetTestData.AllTypes(5));
        ParquetFile.Write(path, ParquetTestData.AllTypes(8));
        Assert.That(ParquetFile.Read(path).RowCount, Is.EqualTo(8));
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(path)!), Is.EqualTo(new[] { path }));
    }

    [Test]
    public void Table_Validation()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Table(new[] { Column.Int32("a", new[] { 1 }), Column.Int32("b", new[] { 1, 2 }) }));
        Assert.That(ex!.Message, Does.Contain("'b'"));
        ex = Assert.Throws<ArgumentException>(() => new Table(new[] { Column.Int32("a", new[] { 1 }), Column.Double("a", new[] { 1.0 }) }));
        Assert.That(ex!.Message, Does.Contain("'a'"));
        var t = new Table(new[] { Column.Int32("epoch", new[] { 1 }), Column.Double("loss", new[] { 0.5 }) });
        var kex = Assert.Throws<KeyNotFoundException>(() => _ = t["acc"]);
        Assert.That(kex!.Message, Does.Contain("epoch").And.Contain("loss"));
        Assert.That(t.TryGetColumn("loss", out var c) && c.GetDouble(0) == 0.5, Is.True);
        Assert.Throws<ArgumentException>(() => Column.String("s", new string[] { null! }));
    }

    [Test]
    public void Column_Accessors()
    {
        var c = Column.Int32("x", new int?[] { 3, null });
        Assert.That(c.Optional, Is.True);
        Assert.That(c.GetValue(1), Is.Null);
        Assert.That(c.GetInt64(0), Is.EqualTo(3));
        Assert.That(c.GetDouble(0), Is.EqualTo(3.0));
        Assert.That(c.Int32Values(), Is.EqualTo(new[] { 3, 0 }));
        Assert.Throws<InvalidOperationException>(() => c.GetDouble(1));
        Assert.Throws<InvalidOperationException>(() => c.DoubleValues());
        var s = Column.String("s", new[] { "a" });
        Assert.Throws<InvalidOperationException>(() => s.GetDouble(0));
        Assert.That(s.GetString(0), Is.EqualTo("a"));
        Assert.That(Column.Float("f", new[] { 0.1f }).GetDouble(0), Is.EqualTo((double)0.1f));
    }
}
