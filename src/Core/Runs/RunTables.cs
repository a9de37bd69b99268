using MnistClaims.Core.Training;
using MnistClaims.Storage.Parquet;

namespace MnistClaims.Core.Runs;

/// <summary>
/// The four tables of a run record, as Parquet-ready columns. Column names are the contract with
/// baselines, reports and diffs: change them only with a baseline migration.
/// </summary>
public static class RunTables
{
    public const string Steps = "steps", Epochs = "epochs", Classes = "classes", Misses = "misses";
    public static readonly string[] All = [Steps, Epochs, Classes, Misses];

    public static Table StepsTable(StepLog s, IReadOnlyDictionary<string, string>? meta = null)
    {
        int n = s.Count;
        var step = new long[n]; var loss = new double[n];
        for (int i = 0; i < n; i++) { step[i] = i + 1; loss[i] = s.Loss(i); }
        return new Table([
            Column.Int32("epoch", s.Epochs.ToArray()),
            Column.Int64("step", step),
            Column.Int32("batch_size", s.BatchSizes.ToArray()),
            Column.Double("loss", loss),
            Column.Int32("correct", s.Corrects.ToArray()),
        ], meta);
    }

    public static Table EpochsTable(IReadOnlyList<EpochMetrics> e, IReadOnlyDictionary<string, string>? meta = null) => new([
        Column.Int32("epoch", e.Select(x => x.Epoch).ToArray()),
        Column.Int64("steps", e.Select(x => x.Steps).ToArray()),
        Column.Int32("train_samples", e.Select(x => x.TrainSamples).ToArray()),
        Column.Double("train_loss", e.Select(x => x.TrainLossMean).ToArray()),
        Column.Double("train_loss_weighted", e.Select(x => x.TrainLossWeighted).ToArray()),
        Column.Double("train_loss_last", e.Select(x => x.TrainLossLast).ToArray()),
        Column.Int64("train_correct", e.Select(x => x.TrainCorrect).ToArray()),
        Column.Double("train_acc", e.Select(x => x.TrainAcc).ToArray()),
        Column.Double("val_loss", e.Select(x => x.ValLoss).ToArray()),
        Column.Double("val_loss_batch_mean", e.Select(x => x.ValLossBatchMean).ToArray()),
        Column.Int64("val_correct", e.Select(x => x.ValCorrect).ToArray()),
        Column.Double("val_acc", e.Select(x => x.ValAcc).ToArray()),
        Column.Double("test_loss", e.Select(x => x.TestLoss).ToArray()),
        Column.Double("test_loss_batch_mean", e.Select(x => x.TestLossBatchMean).ToArray()),
        Column.Int64("test_correct", e.Select(x => x.TestCorrect).ToArray()),
        Column.Double("test_acc", e.Select(x => x.TestAcc).ToArray()),
        Column.Double("train_seconds", e.Select(x => x.TrainSeconds).ToArray()),
        Column.Double("eval_seconds", e.Select(x => x.EvalSeconds).ToArray()),
    ], meta);

    public static Table ClassesTable(FinalReport f, IReadOnlyDictionary<string, string>? meta = null)
    {
        var cols = new List<Column>
        {
            Column.Int32("class", f.Classes.Select(c => c.Class).ToArray()),
            Column.Int32("support", f.Classes.Select(c => c.Support).ToArray()),
            Column.Int32("predicted", f.Classes.Select(c => c.PredictedCount).ToArray()),
            Column.Int32("true_positives", f.Classes.Select(c => c.TruePositives).ToArray()),
            Column.Double("precision", f.Classes.Select(c => c.Precision).ToArray()),
            Column.Double("recall", f.Classes.Select(c => c.Recall).ToArray()),
            Column.Double("f1", f.Classes.Select(c => c.F1).ToArray()),
        };
        int k = f.Classes.Count;
        for (int p = 0; p < k; p++)
        {
            var col = new int[k];
            for (int t = 0; t < k; t++) col[t] = (int)f.Confusion[t, p];
            cols.Add(Column.Int32($"pred_{p}", col));   // row = true class, column = predicted class
        }
        return new Table(cols, meta);
    }

    public static Table MissesTable(FinalReport f, IReadOnlyDictionary<string, string>? meta = null) => new([
        Column.Int32("index", f.Misses.Select(m => m.Index).ToArray()),
        Column.Int32("label", f.Misses.Select(m => m.Label).ToArray()),
        Column.Int32("predicted", f.Misses.Select(m => m.Predicted).ToArray()),
        Column.Double("confidence", f.Misses.Select(m => m.Confidence).ToArray()),
    ], meta);
}
