using System.Buffers.Binary;
using MnistClaims.Storage.Parquet;

namespace MnistClaims.Tests.Unit.Storage;

[TestFixture]
public class ParquetCorruptionTests
{
    private static byte[] Valid() => ParquetFile.WriteToBytes(ParquetTestData.AllTypes(20), new ParquetWriteOptions { RowGroupSize = 8 });

    private static void AssertFails(byte[] bytes, params string[] fragments)
    {
        var ex = Assert.Throws<ParquetFormatException>(() => ParquetFile.Read(bytes, "runs/x/epochs.parquet"));
        Assert.That(ex!.Message, Does.Contain("runs/x/epochs.parquet"));
        Assert.That(ex.FileName, Is.EqualTo("runs/x/epochs.parquet"));
        foreach (var f in fragments) Assert.That(ex.Message, Does.Contain(f));
    }

    [Test]
    public void Empty_And_Tiny_Files() { AssertFails(Array.Empty<byte>(), "at least 12 bytes"); AssertFails("PAR1PAR1"u8.ToArray(), "truncated"); }

    [Test]
    public void Bad_Leading_Magic()
    {
        var b = Valid();
        b[0] = (byte)'X';
        AssertFails(b, "magic");
    }

    [Test]
    public void Truncated_File_MissingTrailingMagic()
    {
        var b = Valid();
        AssertFails(b[..(b.Length - 3)], "magic");
        AssertFails(b[..(b.Length / 2)], "magic");
    }

    [Test]
    public void Footer_Length_Larger_Than_File()
    {
        var b = Valid();
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(b.Length - 8), b.Length + 100);
        AssertFails(b, "footer length");
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(b.Length - 8), -5);
        AssertFails(b, "footer length");
    }

    [Test]
    public void Garbage_Footer()
    {
        var b = Valid();
        int len = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(b.Length - 8));
        for (int i = b.Length - 8 - len; i < b.Length - 8; i++) b[i] = 0xFF;
        AssertFails(b);
    }

    [Test]
    public void Truncated_In_The_Middle_With_Footer_Reattached()
    {
        // Cut data pages but keep a valid footer: offsets now point outside/into garbage.
        var b = Valid();
        int len = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(b.Length - 8));
        var footer = b[(b.Length - 8 - len)..];
        var cut = b[..60].Concat(footer).ToArray();
        AssertFails(cut);
    }

    [Test]
    public void Corrupted_Page_Bytes()
    {
        var b = ParquetFile.WriteToBytes(ParquetTestData.AllTypes(20), new ParquetWriteOptions { Codec = ParquetCodec.Gzip });
        for (int i = 20; i < 200; i++) b[i] ^= 0x5A;
        AssertFails(b);
    }

    [Test]
    public void Missing_File_Throws_FileNotFound_With_Path()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => ParquetFile.Read("/nonexistent/dir/epochs.parquet"));
        Assert.That(ex!.Message, Does.Contain("/nonexistent/dir/epochs.parquet"));
    }
}

[TestFixture]
public class ParquetUnsupportedEncodingTests
{
    [Test]
    public void Unsupported_Value_Encoding_Names_Encoding_Column_And_File()
    {
        var t = new Table(new[] { Column.Boolean("flag", new[] { true, false, true }) });
        var b = ParquetFile.WriteToBytes(t, new ParquetWriteOptions { Codec = ParquetCodec.Uncompressed });
        // First page header starts at offset 4: ... 0x2C (field 5, struct DataPageHeader) 0x15 <num_values> 0x15 <encoding=0>
        int i = Array.IndexOf(b, (byte)0x2C, 4);
        Assert.That(b[i + 1], Is.EqualTo((byte)0x15));
        Assert.That(b[i + 3], Is.EqualTo((byte)0x15));
        Assert.That(b[i + 4], Is.EqualTo((byte)0x00));
        b[i + 4] = 10; // zigzag(5) = DELTA_BINARY_PACKED, invalid for booleans
        var ex = Assert.Throws<ParquetFormatException>(() => ParquetFile.Read(b, "weird.parquet"));
        Assert.That(ex!.Message, Does.Contain("unsupported encoding DELTA_BINARY_PACKED in column 'flag' of file 'weird.parquet'"));
    }
}
