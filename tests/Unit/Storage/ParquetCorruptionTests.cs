using System.Buffers.Binary;
using MnistClaims.Storage.Parquet;

namespace MnistClaims.Tests.Unit.Storage;

[TestFixture]
public class ParquetCorruptionTests
{
    private const string Name = "runs/x/epochs.parquet";

    private static byte[] Valid(ParquetCodec codec = ParquetCodec.Gzip) =>
        ParquetFile.WriteToBytes(ParquetTestData.AllTypes(20), new ParquetWriteOptions { Codec = codec, RowGroupSize = 8 });

    private static ParquetFormatException AssertFails(byte[] bytes, params string[] fragments)
    {
        var ex = Assert.Throws<ParquetFormatException>(() => ParquetFile.Read(bytes, Name))!;
        Assert.That(ex.Message, Does.StartWith(Name + ": "));
        Assert.That(ex.FileName, Is.EqualTo(Name));
        foreach (var f in fragments) Assert.That(ex.Message, Does.Contain(f));
        return ex;
    }

    [Test]
    public void Empty_And_Tiny_Files() { AssertFails(Array.Empty<byte>(), "at least 12 bytes"); AssertFails("PAR1PAR1"u8.ToArray(), "truncated"); }

    [Test]
    public void Bad_Leading_Magic()
    {
        var b = Valid();
        b[0] = (byte)'X';
        AssertFails(b, "expected magic 'PAR1' at start of file", "not a parquet file");
    }

    [Test]
    public void Truncated_File_MissingTrailingMagic()
    {
        var b = Valid();
        AssertFails(b[..(b.Length - 3)], "magic", "truncated");
        AssertFails(b[..(b.Length / 2)], "magic", "truncated");
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
        AssertFails(b, "corrupt file footer");
    }

    [Test]
    public void Truncated_In_The_Middle_With_Footer_Reattached()
    {
        // Cut data pages but keep a valid footer: offsets now point outside/into garbage.
        var b = Valid();
        int len = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(b.Length - 8));
        var footer = b[(b.Length - 8 - len)..];
        var cut = b[..60].Concat(footer).ToArray();
        AssertFails(cut, "column '");
    }

    [Test]
    public void Corrupted_Page_Header_Names_The_Column_And_Row_Group()
    {
        var b = Valid();
        var chunk = ParquetMeta.Chunk(ParquetMeta.Read(b), 1, "f64");
        for (long i = chunk.DataPageOffset; i < chunk.DataPageOffset + 8; i++) b[i] = 0xFF;
        AssertFails(b, "corrupt data in column 'f64' of row group 1");
    }

    [Test]
    public void Corrupted_Compressed_Data_Names_The_Column()
    {
        var b = Valid(ParquetCodec.Gzip);
        var chunk = ParquetMeta.Chunk(ParquetMeta.Read(b), 0, "s");
        long end = chunk.DataPageOffset + chunk.TotalCompressedSize;
        for (long i = end - 12; i < end; i++) b[i] ^= 0x5A; // the page's gzip stream ends there: its deflate tail, CRC and length
        AssertFails(b, "column 's'");
    }

    [Test]
    public void Missing_File_Throws_FileNotFound_With_Path()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => ParquetFile.Read("/nonexistent/dir/epochs.parquet"));
        Assert.That(ex!.Message, Does.Contain("/nonexistent/dir/epochs.parquet"));
    }
}
