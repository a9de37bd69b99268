using MnistClaims.Core.Training;
using MnistClaims.Storage.Parquet;

namespace MnistClaims.Core.Runs;

/// <summary>One column of the per-epoch table: its name in the Parquet file and how it is read off an <see cref="EpochMetrics"/>.</summary>
public sealed record EpochColumn(string Name, string Description, Func<EpochMetrics, double?> Read)
{
    public override string ToString() => Name;
}

/// <summary>
/// The per-epoch table's columns, each once: <see cref="RunTables"/> writes and reads the table from this catalog, and
/// everything above (claims, report, diffs) names a column by its entry here, never by a string.
/// </summary>
public static class EpochColumns
{
    public static readonly EpochColumn TrainLoss = new("train_loss", "mean of the epoch's batch losses (running)", e => e.TrainLossMean);
    public static readonly EpochColumn TrainLossWeighted = new("train_loss_weighted", "sample-weighted mean of the epoch's batch losses", e => e.TrainLossWeighted);
    public static readonly EpochColumn TrainLossLast = new("train_loss_last", "the epoch's last batch loss", e => e.TrainLossLast);
    public static readonly EpochColumn TrainCorrect = new("train_correct", "correct predictions during the epoch (running)", e => e.TrainCorrect);
    public static readonly EpochColumn TrainAcc = new("train_acc", "accuracy during the epoch (running)", e => e.TrainAcc);
    public static readonly EpochColumn ValLoss = new("val_loss", "validation loss, sample-weighted", e => e.ValLoss);
    public static readonly EpochColumn ValLossBatchMean = new("val_loss_batch_mean", "validation loss, mean of the batch means", e => e.ValLossBatchMean);
    public static readonly EpochColumn ValCorrect = new("val_correct", "correct validation predictions after the epoch", e => e.ValCorrect);
    public static readonly EpochColumn ValAcc = new("val_acc", "validation accuracy after the epoch", e => e.ValAcc);
    public static readonly EpochColumn TestLoss = new("test_loss", "test loss, sample-weighted", e => e.TestLoss);
    public static readonly EpochColumn TestLossBatchMean = new("test_loss_batch_mean", "test loss, mean of the batch means", e => e.TestLossBatchMean);
    public static readonly EpochColumn TestCorrect = new("test_correct", "correct test predictions after the epoch", e => e.TestCorrect);
    public static readonly EpochColumn TestAcc = new("test_acc", "test accuracy after the epoch", e => e.TestAcc);
    public static readonly EpochColumn TrainSeconds = new("train_seconds", "wall-clock seconds of the epoch's training", e => e.TrainSeconds);
    public static readonly EpochColumn EvalSeconds = new("eval_seconds", "wall-clock seconds of the epoch's evaluation", e => e.EvalSeconds);

    public static readonly IReadOnlyList<EpochColumn> Metrics =
        [TrainLoss, TrainLossWeighted, TrainLossLast, TrainCorrect, TrainAcc, ValLoss, ValLossBatchMean, ValCorrect, ValAcc,
         TestLoss, TestLossBatchMean, TestCorrect, TestAcc, TrainSeconds, EvalSeconds];

    public static EpochColumn Parse(string name) => Metrics.FirstOrDefault(c => c.Name == name)
        ?? throw new ArgumentException($"unknown epoch column '{name}'; expected one of {string.Join(", ", Metrics.Select(c => c.Name))}");
}

/// <summary>
/// The four tables of a run record and their columns: the only code that knows their names. Column names and types
/// are the contract with baselines, reports and diffs: change them only with a baseline migration.
/// </summary>
public static class RunTables
{
    public const string Steps = "steps", Epochs = "epochs", Classes = "classes", Misses = "misses";
    public static readonly string[] All = [Steps, Epochs, Classes, Misses];

    // ------------------------------------------------------------------ writing
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

    public static Table EpochsTable(IReadOnlyList<EpochMetrics> e, IReadOnlyDictionary<string, string>? meta = null)
    {
        static double[] D(IReadOnlyList<EpochMetrics> e, EpochColumn c) => e.Select(x => c.Read(x)!.Value).ToArray();
        static double?[] N(IReadOnlyList<EpochMetrics> e, EpochColumn c) => e.Select(c.Read).ToArray();
        static long[] L(IReadOnlyList<EpochMetrics> e, EpochColumn c) => e.Select(x => (long)c.Read(x)!.Value).ToArray();
        static long?[] NL(IReadOnlyList<EpochMetrics> e, EpochColumn c) => e.Select(x => c.Read(x) is { } v ? (long?)v : null).ToArray();
        return new Table([
            Column.Int32("epoch", e.Select(x => x.Epoch).ToArray()),
            Column.Int64("steps", e.Select(x => x.Steps).ToArray()),
            Column.Int32("train_samples", e.Select(x => x.TrainSamples).ToArray()),
            Column.Double(EpochColumns.TrainLoss.Name, D(e, EpochColumns.TrainLoss)),
            Column.Double(EpochColumns.TrainLossWeighted.Name, D(e, EpochColumns.TrainLossWeighted)),
            Column.Double(EpochColumns.TrainLossLast.Name, D(e, EpochColumns.TrainLossLast)),
            Column.Int64(EpochColumns.TrainCorrect.Name, L(e, EpochColumns.TrainCorrect)),
            Column.Double(EpochColumns.TrainAcc.Name, D(e, EpochColumns.TrainAcc)),
            Column.Double(EpochColumns.ValLoss.Name, N(e, EpochColumns.ValLoss)),
            Column.Double(EpochColumns.ValLossBatchMean.Name, N(e, EpochColumns.ValLossBatchMean)),
            Column.Int64(EpochColumns.ValCorrect.Name, NL(e, EpochColumns.ValCorrect)),
            Column.Double(EpochColumns.ValAcc.Name, N(e, EpochColumns.ValAcc)),
            Column.Double(EpochColumns.TestLoss.Name, D(e, EpochColumns.TestLoss)),
            Column.Double(EpochColumns.TestLossBatchMean.Name, D(e, EpochColumns.TestLossBatchMean)),
            Column.Int64(EpochColumns.TestCorrect.Name, L(e, EpochColumns.TestCorrect)),
            Column.Double(EpochColumns.TestAcc.Name, D(e, EpochColumns.TestAcc)),
            Column.Double(EpochColumns.TrainSeconds.Name, D(e, EpochColumns.TrainSeconds)),
            Column.Double(EpochColumns.EvalSeconds.Name, D(e, EpochColumns.EvalSeconds)),
        ], meta);
    }

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
            cols.Add(Column.Int32(PredColumn(p), col));   // row = true class, column = predicted class
        }
        return new Table(cols, meta);
    }

    public static Table MissesTable(FinalReport f, IReadOnlyDictionary<string, string>? meta = null) => new([
        Column.Int32("index", f.Misses.Select(m => m.Index).ToArray()),
        Column.Int32("label", f.Misses.Select(m => m.Label).ToArray()),
        Column.Int32("predicted", f.Misses.Select(m => m.Predicted).ToArray()),
        Column.Double("confidence", f.Misses.Select(m => m.Confidence).ToArray()),
    ], meta);

    static string PredColumn(int p) => $"pred_{p}";

    // ------------------------------------------------------------------ reading (file: named in every error)
    public static StepLog ReadSteps(Table t, string file)
    {
        var epoch = Col(t, "epoch", file); var batch = Col(t, "batch_size", file); var loss = Col(t, "loss", file); var correct = Col(t, "correct", file);
        var log = new StepLog();
        for (int i = 0; i < t.RowCount; i++)
            log.Add((int)epoch.GetInt64(i), (int)batch.GetInt64(i), (float)loss.GetDouble(i), (int)correct.GetInt64(i));
        return log;
    }

    public static IReadOnlyList<EpochMetrics> ReadEpochs(Table t, string file)
    {
        double? Get(int i, string name) { var c = Col(t, name, file); return c.IsNull(i) ? null : c.GetDouble(i); }
        long? GetL(int i, string name) { var c = Col(t, name, file); return c.IsNull(i) ? null : c.GetInt64(i); }
        var list = new List<EpochMetrics>(t.RowCount);
        for (int i = 0; i < t.RowCount; i++)
            list.Add(new EpochMetrics
            {
                Epoch = (int)GetL(i, "epoch")!, Steps = GetL(i, "steps")!.Value, TrainSamples = (int)GetL(i, "train_samples")!,
                TrainLossMean = Get(i, EpochColumns.TrainLoss.Name)!.Value, TrainLossWeighted = Get(i, EpochColumns.TrainLossWeighted.Name)!.Value,
                TrainLossLast = Get(i, EpochColumns.TrainLossLast.Name)!.Value, TrainCorrect = GetL(i, EpochColumns.TrainCorrect.Name)!.Value,
                TrainAcc = Get(i, EpochColumns.TrainAcc.Name)!.Value,
                ValLoss = Get(i, EpochColumns.ValLoss.Name), ValLossBatchMean = Get(i, EpochColumns.ValLossBatchMean.Name),
                ValCorrect = GetL(i, EpochColumns.ValCorrect.Name), ValAcc = Get(i, EpochColumns.ValAcc.Name),
                TestLoss = Get(i, EpochColumns.TestLoss.Name)!.Value, TestLossBatchMean = Get(i, EpochColumns.TestLossBatchMean.Name)!.Value,
                TestCorrect = GetL(i, EpochColumns.TestCorrect.Name)!.Value, TestAcc = Get(i, EpochColumns.TestAcc.Name)!.Value,
                TrainSeconds = Get(i, EpochColumns.TrainSeconds.Name)!.Value, EvalSeconds = Get(i, EpochColumns.EvalSeconds.Name)!.Value,
            });
        return list;
    }

    /// <summary>The final report back from the classes (per-class scores, confusion matrix) and misses tables.</summary>
    public static FinalReport ReadFinal(Table classes, string classesFile, Table misses, string missesFile)
    {
        int k = classes.RowCount;
        var cls = Col(classes, "class", classesFile); var support = Col(classes, "support", classesFile); var predicted = Col(classes, "predicted", classesFile);
        var tp = Col(classes, "true_positives", classesFile); var p = Col(classes, "precision", classesFile); var r = Col(classes, "recall", classesFile); var f1 = Col(classes, "f1", classesFile);
        var rows = new List<ClassMetrics>(k);
        var cm = new long[k, k];
        for (int i = 0; i < k; i++)
        {
            rows.Add(new ClassMetrics((int)cls.GetInt64(i), (int)support.GetInt64(i), (int)predicted.GetInt64(i), (int)tp.GetInt64(i), p.GetDouble(i), r.GetDouble(i), f1.GetDouble(i)));
            for (int q = 0; q < k; q++) cm[i, q] = Col(classes, PredColumn(q), classesFile).GetInt64(i);
        }
        var idx = Col(misses, "index", missesFile); var label = Col(misses, "label", missesFile); var pred = Col(misses, "predicted", missesFile); var conf = Col(misses, "confidence", missesFile);
        var list = new List<Miss>(misses.RowCount);
        for (int i = 0; i < misses.RowCount; i++) list.Add(new Miss((int)idx.GetInt64(i), (int)label.GetInt64(i), (int)pred.GetInt64(i), conf.GetDouble(i)));
        return FinalReport.FromTables(cm, rows, list);
    }

    static Column Col(Table t, string name, string file) => t.TryGetColumn(name, out var c) ? c
        : throw new InvalidDataException($"{file}: no column '{name}' (a run record's {Path.GetFileNameWithoutExtension(file)} table has {string.Join(", ", t.Columns.Select(x => x.Name))})");
}
