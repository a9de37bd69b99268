using MnistClaims.Storage.Parquet;

namespace MnistClaims.Tests.Unit.Storage.Parquet;

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

    [Test]
    public void AllTypes_RoundTrip([Values] ParquetCodec codec)
    {
        var t = ParquetTestData.AllTypes();
        var bytes = ParquetFile.WriteToBytes(t, new ParquetWriteOptions { Codec = codec });
        Assert.That(ParquetMeta.Read(bytes).RowGroups[0].Columns.Select(c => c.MetaData!.Codec.ToString()),
            Has.All.EqualTo(codec == ParquetCodec.Uncompressed ? "UNCOMPRESSED" : codec.ToString().ToUpperInvariant()), "the codec asked for is the one written");
        var back = ParquetFile.Read(bytes, "mem.parquet");
        ParquetTestData.AssertTablesEqual(back, t);
        Assert.That(back.Metadata, Is.EquivalentTo(t.Metadata));
    }

    [Test]
    public void SpecialFloats_RoundTrip_BitExact([Values] ParquetCodec codec)
    {
        var t = ParquetTestData.SpecialFloats();
        var back = ParquetFile.Read(ParquetFile.WriteToBytes(t, new ParquetWriteOptions { Codec = codec, RowGroupSize = 5 }), "floats.parquet");
        ParquetTestData.AssertTablesEqual(back, t); // compares float and double bits, NaN payloads and the sign of zero included
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
        var meta = ParquetMeta.Read(path);
        Assert.That(meta.RowGroups, Has.Count.EqualTo((37 + rowGroupSize - 1) / rowGroupSize));
        Assert.That(meta.RowGroups.Sum(g => g.NumRows), Is.EqualTo(37));
        ParquetTestData.AssertTablesEqual(ParquetFile.Read(path), t);
    }

    [Test]
    public void ZeroRowTable_RoundTrips_And_ZeroColumnTable_Is_Refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => ParquetFile.WriteToBytes(new Table(Array.Empty<Column>())));
        Assert.That(ex!.Message, Does.Contain("at least one column"));
        var zero = new Table(new[] { Column.Double("x", Array.Empty<double>()), Column.OptionalString("s", Array.Empty<string?>()) },
            new Dictionary<string, string> { ["k"] = "v" });
        var back = ParquetFile.Read(ParquetFile.WriteToBytes(zero), "z");
        Assert.That(back.RowCount, Is.EqualTo(0));
        Assert.That(back["s"].Optional, Is.True);
        Assert.That(back["s"].Type, Is.EqualTo(ParquetType.String));
        Assert.That(back["x"].Optional, Is.False);
        Assert.That(back["x"].Type, Is.EqualTo(ParquetType.Double));
        Assert.That(back.Metadata, Is.EquivalentTo(zero.Metadata));
    }

    [Test]
    public void AllNull_And_NoNull_OptionalColumns_RoundTrip()
    {
        var t = new Table(new[]
        {
            Column.Double("x", new double?[] { null, null, null }),
            Column.OptionalString("s", new string?[] { null, null, null }),
            Column.Int32("i", new int?[] { 1, 2, 3 }),
            Column.OptionalString("e", new string?[] { "", null, "" }),
        });
        ParquetTestData.AssertTablesEqual(ParquetFile.Read(ParquetFile.WriteToBytes(t, new ParquetWriteOptions { RowGroupSize = 2 }), "n"), t);
    }

    [Test]
    public void Metadata_RoundTrips_Exactly()
    {
        var manifest = "{\n  \"experiment\": \"000-batch-8\",\n  \"seed\": 42\n}";
        var md = new Dictionary<string, string>
        {
            ["mnist_claims.manifest"] = manifest,
            ["mnist_claims.schema_version"] = "1",
            ["mnist_claims.empty"] = "",
            ["unicode ключ"] = "ß→✓ 日本語",
        };
        var t = new Table(new[] { Column.Int32("epoch", new[] { 1, 2 }) }, md);
        var back = ParquetFile.Read(ParquetFile.WriteToBytes(t), "m");
        Assert.That(back.Metadata, Is.EquivalentTo(md));
        Assert.That(back.Metadata["mnist_claims.manifest"], Is.EqualTo(manifest));
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
    public void Invalid_RowGroupSize_Is_Rejected_And_Leaves_The_Old_File()
    {
        var path = Path.Combine(_dir, "x.parquet");
        ParquetFile.Write(path, ParquetTestData.AllTypes(5));
        Assert.Throws<ArgumentOutOfRangeException>(() => ParquetFile.Write(path, ParquetTestData.AllTypes(8), new ParquetWriteOptions { RowGroupSize = 0 }));
        Assert.That(ParquetFile.Read(path).RowCount, Is.EqualTo(5));
        Assert.That(Directory.GetFiles(_dir), Is.EqualTo(new[] { path }));
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
