using MnistClaims.Core.Runs;
using MnistClaims.Storage.Parquet;
using MnistClaims.Snapshots;

namespace MnistClaims.Tests.Unit.Snapshots;

/// <summary>
/// Every committed <c>*.verified.parquet</c> still reads as the table its <c>*.verified.txt</c> shows (written from
/// the same table when it was accepted): round-trip text for every cell, nulls, column types, metadata. This keeps
/// the reader honest against the files the fast tier compares with, whatever library does the reading.
/// </summary>
[TestFixture]
public class CommittedBaselinesTests
{
    [Test]
    public void Every_verified_parquet_reads_as_its_verified_txt()
    {
        var files = Directory.GetFiles(RepoPaths.Baselines, "*.verified.parquet", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        Assert.That(files, Is.Not.Empty, $"no baselines under {RepoPaths.Baselines}");
        long cells = 0;
        foreach (var parquet in files)
        {
            var text = Path.ChangeExtension(parquet, ".txt");
            Assert.That(File.Exists(text), Is.True, $"{parquet} has no {Path.GetFileName(text)}");
            var table = ParquetFile.Read(parquet);
            Assert.That(TableText.Render(table), Is.EqualTo(File.ReadAllText(text)), parquet);
            cells += (long)table.RowCount * table.Columns.Count;
        }
        TestContext.Out.WriteLine($"{files.Length} baselines, {cells} cells");
    }
}
