using System.Buffers.Binary;
using MnistClaims.Storage.Parquet;

namespace MnistClaims.Tests.Unit.Storage.Parquet;

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

    /// <summary>
    /// Whatever single byte is damaged and wherever the file is cut, reading either succeeds (a value byte changed)
    /// or throws <see cref="ParquetFormatException"/> naming the file: never an exception from inside the library,
    /// and never a hang (Parquet.Net alone spins forever on some damaged footers and page headers; see FooterCheck).
    /// A small file keeps this quick: a damaged length can make the library allocate up to 2 GiB before it fails.
    /// </summary>
    [TestCase(ParquetCodec.Uncompressed)]
    [TestCase(ParquetCodec.Gzip)]
    public void Any_Single_Damage_Gives_Only_ParquetFormatException(ParquetCodec codec)
    {
        var table = new Table(new[]
        {
            Column.Int32("i", new[] { 1, -2, 3, 4, 5 }),
            Column.Double("d", new[] { 0.5, double.NaN, -0.0, 1e300, 2 }),
            Column.OptionalString("s", new[] { "a", null, "ü", "", "x" }),
            Column.Boolean("b", new bool?[] { true, null, false, true, null }),
        }, new Dictionary<string, string> { ["k"] = "v" });
        var valid = ParquetFile.WriteToBytes(table, new ParquetWriteOptions { Codec = codec, RowGroupSize = 3 });
        int rejected = 0;
        void Check(byte[] bytes, string what)
        {
            // A read of 1 KiB takes milliseconds, a 2 GiB allocation before the failure a few seconds: 60 s is a hang.
            var read = Task.Run(() => ParquetFile.Read(bytes, Name));
            try { if (!read.Wait(TimeSpan.FromSeconds(60))) Assert.Fail($"{what}: no answer after 60 s (the reader spins)"); }
            catch (AggregateException ae) when (ae.InnerException is ParquetFormatException ex && ex.Message.StartsWith(Name + ": ", StringComparison.Ordinal)) { rejected++; }
            catch (AggregateException ae) { Assert.Fail($"{what}: {ae.InnerException!.GetType().Name} escaped: {ae.InnerException.Message}"); }
        }
        for (int i = 0; i < valid.Length; i++)
        {
            var b = (byte[])valid.Clone();
            b[i] ^= 0xFF;
            Check(b, $"byte {i} of {valid.Length} flipped");
        }
        for (int n = 0; n < valid.Length; n++) Check(valid[..n], $"cut to {n} of {valid.Length} bytes");
        TestContext.Out.WriteLine($"{codec}: {valid.Length} bytes, {2 * valid.Length} damaged copies, {rejected} rejected");
        Assert.That(rejected, Is.GreaterThanOrEqualTo(valid.Length), "every cut copy at least is rejected");
    }

    [Test]
    public void Missing_File_Throws_FileNotFound_With_Path()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => ParquetFile.Read("/nonexistent/dir/epochs.parquet"));
        Assert.That(ex!.Message, Does.Contain("/nonexistent/dir/epochs.parquet"));
    }
}
