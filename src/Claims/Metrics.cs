using MnistClaims.Core.Runs;

namespace MnistClaims.Claims;

/// <summary>A number read off one run, named for the report ("final val_acc").</summary>
public sealed record RunMetric(string Name, Func<RunRecord, double> Read);

/// <summary>Extractors over a run record's tables, one per way the documents define a figure.</summary>
public static class Metrics
{
    static double Cell(RunRecord r, string column, int epoch)
    {
        var t = r[RunTables.Epochs];
        var epochs = t["epoch"];
        for (int i = 0; i < t.RowCount; i++)
            if (epochs.GetInt64(i) == epoch) return t[column].IsNull(i) ? double.NaN : t[column].GetDouble(i);
        return double.NaN;   // the run stopped earlier (diverged)
    }

    public static RunMetric AtEpoch(string column, int epoch) => new($"{column}@{epoch}", r => Cell(r, column, epoch));

    public static RunMetric Final(string column) => new($"final {column}", r =>
    {
        var t = r[RunTables.Epochs];
        return t.RowCount == 0 || t[column].IsNull(t.RowCount - 1) ? double.NaN : t[column].GetDouble(t.RowCount - 1);
    });

    /// <summary>Sum over epochs, e.g. training seconds.</summary>
    public static RunMetric Total(string column) => new($"total {column}", r =>
    {
        var c = r[RunTables.Epochs][column];
        double s = 0;
        for (int i = 0; i < c.Length; i++) s += c.GetDouble(i);
        return s;
    });

    public static RunMetric TrainMinutes => new("training minutes", r => Total("train_seconds").Read(r) / 60);

    public static RunMetric MissCount => new("test misses", r => r[RunTables.Misses].RowCount);

    /// <summary>F1 over the ten classes: unweighted mean (macro) or weighted by support (scikit-learn's "weighted").</summary>
    public static RunMetric F1(bool weighted) => new(weighted ? "weighted F1" : "macro F1", r =>
    {
        var t = r[RunTables.Classes];
        double total = 0, sum = 0;
        for (int i = 0; i < t.RowCount; i++)
        {
            double w = weighted ? t["support"].GetDouble(i) : 1;
            sum += w * t["f1"].GetDouble(i); total += w;
        }
        return sum / total;
    });

    /// <summary>Document 004's "Total Training Loss": the mean batch loss of the last epoch divided by the batch size.</summary>
    public static RunMetric LossPerSample004(int batchSize) => new("last-epoch mean batch loss / batch size", r => Final("train_loss").Read(r) / batchSize);
}
