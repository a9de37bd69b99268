using MnistClaims.Core.Runs;
using MnistClaims.Storage.Parquet;

namespace MnistClaims.Tests.Unit.Storage;

/// <summary>
/// One-off proof before the hand-written reader goes: every committed baseline read by the old reader
/// (<see cref="ParquetFile"/>) and by the Parquet.Net-based one gives the same table, cell for cell
/// (floats and doubles bit for bit), with the same types, null masks and key/value metadata.
/// </summary>
[TestFixture]
public class ReaderEquivalenceTests
{
    private sealed class Counts
    {
        public long Files, Rows, Cells, Nulls, MetadataEntries;
        public readonly Dictionary<ParquetType, long> CellsByType = new();
        public override string ToString() =>
            $"{Files} files, {Rows} rows, {Cells} cells ({Nulls} null; {string.Join(", ", CellsByType.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}"))}), {MetadataEntries} metadata entries";
    }

    [Test]
    public void Every_committed_baseline_reads_the_same_with_both_readers()
    {
        var files = Directory.GetFiles(RepoPaths.Baselines, "*.parquet", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        Assert.That(files, Is.Not.Empty, "no baselines found");
        var counts = new Counts();
        foreach (var file in files) Compare(File.ReadAllBytes(file), file, counts);
        TestContext.Out.WriteLine($"baselines: {counts}");
    }

    [Test]
    public void Files_of_the_old_writer_with_metadata_read_the_same_with_both_readers()
    {
        var counts = new Counts();
        foreach (var codec in new[] { ParquetCodec.Uncompressed, ParquetCodec.Gzip })
            foreach (var rowGroupSize in new[] { 1, 7, 1 << 20 })
                Compare(ParquetFile.WriteToBytes(ParquetTestData.AllTypes(37), new ParquetWriteOptions { Codec = codec, RowGroupSize = rowGroupSize }), $"{codec}/{rowGroupSize}", counts);
        Assert.That(counts.MetadataEntries, Is.GreaterThan(0));
        TestContext.Out.WriteLine($"old writer: {counts}");
    }

    private static void Compare(byte[] bytes, string file, Counts counts)
    {
        var old = ParquetFile.Read(bytes, file);
        var now = ParquetTableReader.ReadAsync(bytes, file).GetAwaiter().GetResult();
        Assert.That(now.Metadata, Is.EquivalentTo(old.Metadata), $"{file}: key/value metadata");
        Assert.That(now.Columns.Select(c => (c.Name, c.Type, c.Optional)), Is.EqualTo(old.Columns.Select(c => (c.Name, c.Type, c.Optional))), $"{file}: schema");
        Assert.That(now.RowCount, Is.EqualTo(old.RowCount), $"{file}: rows");
        for (int ci = 0; ci < old.Columns.Count; ci++)
        {
            Column a = old.Columns[ci], b = now.Columns[ci];
            for (int r = 0; r < old.RowCount; r++)
            {
                if (a.IsNull(r) != b.IsNull(r)) Assert.Fail($"{file}: {a.Name}[{r}] null {a.IsNull(r)} vs {b.IsNull(r)}");
                if (a.IsNull(r)) { counts.Nulls++; continue; }
                if (!SameBits(a.GetValue(r), b.GetValue(r)))
                    Assert.Fail($"{file}: {a.Name}[{r}] old {a.FormatValue(r)} vs new {b.FormatValue(r)}");
            }
            counts.Cells += old.RowCount;
            counts.CellsByType[a.Type] = counts.CellsByType.GetValueOrDefault(a.Type) + old.RowCount;
        }
        counts.Files++;
        counts.Rows += old.RowCount;
        counts.MetadataEntries += old.Metadata.Count;
    }

    private static bool SameBits(object? a, object? b) => (a, b) switch
    {
        (double x, double y) => BitConverter.DoubleToInt64Bits(x) == BitConverter.DoubleToInt64Bits(y),
        (float x, float y) => BitConverter.SingleToInt32Bits(x) == BitConverter.SingleToInt32Bits(y),
        _ => Equals(a, b),
    };
}
