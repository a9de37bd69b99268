using MnistClaims.Storage.Parquet;

namespace MnistClaims.Tests.Unit.Snapshots;

internal static class SnapshotTestData
{
    public static Table Epochs(double[]? acc = null, double[]? loss = null, double[]? seconds = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        acc ??= new[] { 0.90, 0.95, 0.97 };
        loss ??= new[] { 0.30, 0.15, 0.10 };
        seconds ??= new[] { 1.5, 1.4, 1.6 };
        return new Table(new[]
        {
            Column.Int32("epoch", Enumerable.Range(1, acc.Length).ToArray()),
            Column.Double("test_acc", acc),
            Column.Double("train_loss", loss),
            Column.Double("seconds", seconds),
        }, metadata);
    }

    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "mnist-claims-verify-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }
}
