using MnistClaims.Core.Runs;

namespace MnistClaims.Claims;

/// <summary>A number read off one run, named for the report ("final val_acc").</summary>
public sealed record RunMetric(string Name, Func<RunRecord, double> Read);

/// <summary>Extractors over a run record's typed tables, one per way the documents define a figure.</summary>
public static class Metrics
{
    /// <summary>The column at an epoch; NaN when the run stopped earlier (diverged) or the value is undefined.</summary>
    public static RunMetric AtEpoch(EpochColumn column, int epoch) => new($"{column}@{epoch}", r =>
        r.Epochs.FirstOrDefault(e => e.Epoch == epoch) is { } e ? column.Read(e) ?? double.NaN : double.NaN);

    public static RunMetric Final(EpochColumn column) => new($"final {column}", r =>
        r.Epochs.Count == 0 ? double.NaN : column.Read(r.LastEpoch) ?? double.NaN);

    /// <summary>Sum over epochs, e.g. training seconds.</summary>
    public static RunMetric Total(EpochColumn column) => new($"total {column}", r => r.Epochs.Sum(e => column.Read(e) ?? 0));

    public static RunMetric TrainMinutes => new("training minutes", r => Total(EpochColumns.TrainSeconds).Read(r) / 60);

    public static RunMetric MissCount => new("test misses", r => r.Final.Misses.Count);

    /// <summary>F1 over the ten classes: unweighted mean (macro) or weighted by support (scikit-learn's "weighted").</summary>
    public static RunMetric F1(bool weighted) => new(weighted ? "weighted F1" : "macro F1", r =>
    {
        double total = 0, sum = 0;
        foreach (var c in r.Final.Classes)
        {
            double w = weighted ? c.Support : 1;
            sum += w * c.F1; total += w;
        }
        return sum / total;
    });

    /// <summary>Document 004's "Total Training Loss": the mean batch loss of the last epoch divided by the batch size.</summary>
    public static RunMetric LossPerSample004(int batchSize) => new("last-epoch mean batch loss / batch size", r => Final(EpochColumns.TrainLoss).Read(r) / batchSize);
}
