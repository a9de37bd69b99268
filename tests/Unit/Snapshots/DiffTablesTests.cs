using MnistClaims.Storage.Parquet;
using MnistClaims.Snapshots;

namespace MnistClaims.Tests.Unit.Snapshots;

public sealed class DiffTablesTests
{
    [Test]
    public void Diff_compares_only_the_requested_tables()
    {
        var root = Directory.CreateTempSubdirectory("diff-tables-").FullName;
        try
        {
            foreach (var (side, v) in new[] { ("A", 0.5), ("B", 0.6) })
            {
                var dir = Path.Combine(root, side, "exp1");
                ParquetFile.Write(Path.Combine(dir, "epochs.verified.parquet"), new Table([Column.Int32("epoch", [1]), Column.Double("test_acc", [v])]));
                ParquetFile.Write(Path.Combine(dir, "fast-epochs.verified.parquet"), new Table([Column.Int32("epoch", [1]), Column.Double("test_acc", [v])]));
            }
            var all = BaselineDiff.Diff(Path.Combine(root, "A"), Path.Combine(root, "B"));
            var only = BaselineDiff.Diff(Path.Combine(root, "A"), Path.Combine(root, "B"), new DiffOptions { Tables = ["fast-epochs"] });
            Assert.That(all.Rows.Select(r => r.Table).Distinct(), Is.EquivalentTo(new[] { "epochs", "fast-epochs" }));
            Assert.That(only.Rows.Select(r => r.Table).Distinct(), Is.EquivalentTo(new[] { "fast-epochs" }));
            Assert.That(only.Rows.Single().Delta, Is.EqualTo(0.1).Within(1e-12));
        }
        finally { Directory.Delete(root, true); }
    }
}
