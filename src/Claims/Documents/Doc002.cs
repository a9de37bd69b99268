using MnistClaims.Claims.Rule;
using MnistClaims.Core.Runs;
using MnistClaims.Core.Training;
using MnistClaims.Models;
using static MnistClaims.Claims.ClaimFactory;

namespace MnistClaims.Claims.Documents;

/// <summary>
/// 002_4c43f2e48fe00e08.txt, EARIN lab 1 (code found: VolodymyrSeniv/EARIN lab5/commented_lab5.py).
/// Fifteen 10-epoch training logs varying lr, batch size, depth, width and loss, and conclusions drawn from them.
/// </summary>
public static class Doc002
{
    public const string File = "002_4c43f2e48fe00e08.txt";

    static readonly string[] Assumed =
    [
        "Model(num_hidden_layers, width, activation): Linear(784,w)+act, nhl x (Linear(w,w)+act), Linear(w,10); '0 hidden layers' is 784-w-10 with ReLU",
        "Keras MNIST /255, flattened; one-hot float targets for all three losses (CE with probability targets; MSE/L1 average over the 10 outputs)",
        "Adam with default betas; PyTorch default init; no dropout; batch 64",
        "validation = 20% of the 60k training set split as the document did, sklearn train_test_split(test_size=0.2, random_state=42) on the IDX-order training set (reproduced index for index), the same split for every seed",
        "train loss/accuracy are running means over the epoch's batches; validation loss is the mean of per-batch means at batch 64 (eval batch 64)",
    ];

    static Experiment Earin(string id, string title, int nhl = 1, int width = 128, double lr = 0.01, string loss = "cross-entropy", int batch = 64) =>
        new(id, File, title, new TrainConfig
        {
            Arch = DocumentModels.Earin(nhl, width).Arch, Activation = "relu", Loss = loss, Targets = "onehot",
            Optimizer = "adam", Lr = lr, BatchSize = batch, Epochs = 10, ValFraction = 0.2, Split = "sklearn:42", Normalize = "scale", EvalBatchSize = 64,
        }, Assumed);

    public const string Base = "002-base";

    public static IReadOnlyList<Experiment> Experiments { get; } =
    [
        Earin(Base, "nhl 1, width 128, CE, lr 0.01, batch 64 (ran 7 times in the document)"),
        Earin("002-lr-0.001", "lr 0.001", lr: 0.001),
        Earin("002-lr-0.1", "lr 0.1", lr: 0.1),
        Earin("002-batch-16", "batch 16 as written (the document's run used 64)", batch: 16),
        Earin("002-batch-256", "batch 256 as written (the document's run used 64)", batch: 256),
        Earin("002-hidden-0", "0 hidden layers (784-128-10 with ReLU)", nhl: 0),
        Earin("002-hidden-2", "2 hidden layers", nhl: 2),
        Earin("002-width-32", "width 32", width: 32),
        Earin("002-width-64", "width 64", width: 64),
        Earin("002-loss-mse", "MSELoss on one-hot targets", loss: "mse"),
        Earin("002-loss-l1", "L1Loss on one-hot targets", loss: "l1"),
        Earin("002-hidden-0", "", nhl: 0).Reading("linear", "0 hidden layers as written: a linear model 784-10", c => c with { Arch = "784-10" },
            "alternative reading: '0 hidden layers' as the linear model the text describes, not Model(0, 128)"),
    ];

    /// <summary>A printed training log: where it is in the document, what it ran as written, and what it ran in fact.</summary>
    public sealed record Log(string Name, string Section, string AsWritten, string AsRun, (int Epoch, double TrainLoss, double ValLoss, double TrainAcc, double ValAcc)[] Rows);

    // Epoch N/10: Train Loss=.., Val Loss=.., Train Acc=.., Val Acc=..
    public static readonly Log[] Logs =
    [
        new("lr-0.001", "Learning rate(0.001)", "002-lr-0.001", "002-lr-0.001", [
            (1, 0.3603, 0.1807, 0.8989, 0.9483), (2, 0.1450, 0.1204, 0.9564, 0.9646), (3, 0.1012, 0.1047, 0.9693, 0.9669), (4, 0.0743, 0.0916, 0.9770, 0.9733), (5, 0.0577, 0.0985, 0.9820, 0.9720),
            (6, 0.0454, 0.0891, 0.9855, 0.9741), (7, 0.0370, 0.0808, 0.9883, 0.9772), (8, 0.0281, 0.0938, 0.9905, 0.9747), (9, 0.0253, 0.1050, 0.9914, 0.9712), (10, 0.0202, 0.1110, 0.9933, 0.9740)]),
        new("lr-0.01", "Learning rate(0.01)", Base, Base, [
            (1, 0.2668, 0.1564, 0.9181, 0.9566), (2, 0.1569, 0.1611, 0.9545, 0.9537), (3, 0.1364, 0.1530, 0.9618, 0.9588), (4, 0.1266, 0.1585, 0.9647, 0.9603), (5, 0.1094, 0.1644, 0.9700, 0.9648),
            (6, 0.1017, 0.1699, 0.9718, 0.9643), (7, 0.0980, 0.1633, 0.9749, 0.9610), (8, 0.0910, 0.1795, 0.9763, 0.9613), (9, 0.0894, 0.1977, 0.9765, 0.9613), (10, 0.0830, 0.1624, 0.9789, 0.9698)]),
        new("lr-0.1", "Learning rate(0.1)", "002-lr-0.1", "002-lr-0.1", [
            (1, 1.9700, 1.6535, 0.3074, 0.3471), (2, 1.4846, 1.5274, 0.4125, 0.3838), (3, 1.4511, 1.4339, 0.4186, 0.4158), (4, 1.5591, 1.6656, 0.3710, 0.3244), (5, 1.6349, 1.5836, 0.3099, 0.3096),
            (6, 1.6115, 1.5434, 0.3226, 0.3282), (7, 1.6128, 1.5584, 0.3183, 0.3257), (8, 1.5930, 1.5585, 0.3305, 0.3474), (9, 1.6355, 1.5746, 0.3199, 0.3212), (10, 1.5746, 1.5472, 0.3305, 0.3438)]),
        new("batch-16", "Batch size (16)", "002-batch-16", Base, [
            (1, 0.2624, 0.2083, 0.9206, 0.9387), (2, 0.1589, 0.1635, 0.9556, 0.9577), (3, 0.1343, 0.1894, 0.9620, 0.9496), (4, 0.1246, 0.1525, 0.9653, 0.9627), (5, 0.1208, 0.1719, 0.9676, 0.9586),
            (6, 0.1021, 0.1416, 0.9721, 0.9668), (7, 0.1014, 0.1399, 0.9730, 0.9685), (8, 0.0931, 0.2067, 0.9758, 0.9591), (9, 0.0856, 0.1652, 0.9769, 0.9680), (10, 0.0851, 0.2032, 0.9770, 0.9623)]),
        new("batch-64", "Batch size (64)", Base, Base, [
            (1, 0.2595, 0.1520, 0.9224, 0.9548), (2, 0.1614, 0.1516, 0.9540, 0.9579), (3, 0.1401, 0.1568, 0.9609, 0.9593), (4, 0.1193, 0.1583, 0.9670, 0.9619), (5, 0.1075, 0.1687, 0.9704, 0.9589),
            (6, 0.1035, 0.1773, 0.9724, 0.9582), (7, 0.0974, 0.1649, 0.9749, 0.9657), (8, 0.0934, 0.2357, 0.9751, 0.9556), (9, 0.0875, 0.1947, 0.9782, 0.9574), (10, 0.0816, 0.1678, 0.9788, 0.9664)]),
        new("batch-256", "Batch size (256)", "002-batch-256", Base, [
            (1, 0.2650, 0.1548, 0.9200, 0.9567), (2, 0.1576, 0.1331, 0.9557, 0.9617), (3, 0.1289, 0.1837, 0.9643, 0.9548), (4, 0.1239, 0.1541, 0.9664, 0.9577), (5, 0.1150, 0.1491, 0.9675, 0.9644),
            (6, 0.1070, 0.1813, 0.9717, 0.9527), (7, 0.0951, 0.1545, 0.9742, 0.9647), (8, 0.0866, 0.1802, 0.9775, 0.9657), (9, 0.0944, 0.1749, 0.9754, 0.9648), (10, 0.0956, 0.1847, 0.9759, 0.9652)]),
        new("hidden-0", "Hidden Layers (0)", "002-hidden-0", "002-hidden-0", [
            (1, 0.2436, 0.1508, 0.9262, 0.9563), (2, 0.1367, 0.1413, 0.9587, 0.9592), (3, 0.1098, 0.1467, 0.9674, 0.9607), (4, 0.1022, 0.1721, 0.9695, 0.9606), (5, 0.0912, 0.1964, 0.9745, 0.9582),
            (6, 0.0875, 0.2064, 0.9764, 0.9616), (7, 0.0842, 0.1830, 0.9782, 0.9619), (8, 0.0726, 0.2015, 0.9798, 0.9665), (9, 0.0767, 0.2328, 0.9803, 0.9604), (10, 0.0783, 0.2290, 0.9801, 0.9663)]),
        new("hidden-1", "Hidden Layers (1)", Base, Base, [
            (1, 0.2668, 0.1942, 0.9197, 0.9450), (2, 0.1589, 0.1528, 0.9541, 0.9564), (3, 0.1372, 0.1514, 0.9620, 0.9573), (4, 0.1185, 0.1747, 0.9662, 0.9525), (5, 0.1167, 0.1753, 0.9684, 0.9610),
            (6, 0.1059, 0.1700, 0.9714, 0.9623), (7, 0.0979, 0.1730, 0.9736, 0.9583), (8, 0.0971, 0.2298, 0.9736, 0.9537), (9, 0.0988, 0.2012, 0.9748, 0.9617), (10, 0.0824, 0.1892, 0.9780, 0.9654)]),
        new("hidden-2", "Hidden Layers (2)", "002-hidden-2", "002-hidden-2", [
            (1, 0.3107, 0.1700, 0.9091, 0.9530), (2, 0.1806, 0.1567, 0.9514, 0.9529), (3, 0.1505, 0.1686, 0.9602, 0.9571), (4, 0.1409, 0.2001, 0.9627, 0.9523), (5, 0.1305, 0.1592, 0.9663, 0.9617),
            (6, 0.1163, 0.1477, 0.9699, 0.9647), (7, 0.1060, 0.1543, 0.9731, 0.9637), (8, 0.1024, 0.1578, 0.9735, 0.9663), (9, 0.0945, 0.1691, 0.9753, 0.9642), (10, 0.1076, 0.1609, 0.9744, 0.9633)]),
        new("width-32", "Neurons in hidden layers (32)", "002-width-32", "002-width-32", [
            (1, 0.3248, 0.2273, 0.9022, 0.9353), (2, 0.1879, 0.2197, 0.9445, 0.9334), (3, 0.1658, 0.1661, 0.9507, 0.9513), (4, 0.1487, 0.1945, 0.9564, 0.9467), (5, 0.1458, 0.1576, 0.9574, 0.9568),
            (6, 0.1266, 0.1833, 0.9624, 0.9490), (7, 0.1330, 0.1792, 0.9614, 0.9491), (8, 0.1235, 0.1576, 0.9643, 0.9576), (9, 0.1167, 0.1811, 0.9655, 0.9537), (10, 0.1121, 0.2008, 0.9667, 0.9501)]),
        new("width-64", "Neurons in hidden layers (64)", "002-width-64", "002-width-64", [
            (1, 0.2711, 0.1701, 0.9167, 0.9514), (2, 0.1566, 0.1700, 0.9549, 0.9509), (3, 0.1297, 0.1751, 0.9615, 0.9541), (4, 0.1209, 0.1805, 0.9655, 0.9548), (5, 0.1094, 0.1552, 0.9688, 0.9588),
            (6, 0.1039, 0.1591, 0.9700, 0.9613), (7, 0.1011, 0.1705, 0.9721, 0.9603), (8, 0.0918, 0.1691, 0.9745, 0.9603), (9, 0.0865, 0.1763, 0.9763, 0.9645), (10, 0.0915, 0.1612, 0.9754, 0.9627)]),
        new("width-128", "Neurons in hidden layers (128)", Base, Base, [
            (1, 0.2707, 0.1442, 0.9193, 0.9573), (2, 0.1547, 0.2186, 0.9546, 0.9428), (3, 0.1337, 0.1642, 0.9621, 0.9586), (4, 0.1227, 0.1372, 0.9659, 0.9635), (5, 0.1057, 0.1618, 0.9706, 0.9623),
            (6, 0.1070, 0.1832, 0.9716, 0.9552), (7, 0.0971, 0.1457, 0.9739, 0.9680), (8, 0.0891, 0.1661, 0.9760, 0.9660), (9, 0.0895, 0.1829, 0.9761, 0.9606), (10, 0.0787, 0.1843, 0.9790, 0.9629)]),
        new("loss-mse", "MSELoss loss function", "002-loss-mse", "002-loss-mse", [
            (1, 0.0205, 0.0148, 0.8877, 0.9175), (2, 0.0145, 0.0141, 0.9230, 0.9230), (3, 0.0132, 0.0133, 0.9285, 0.9256), (4, 0.0127, 0.0133, 0.9302, 0.9282), (5, 0.0125, 0.0125, 0.9323, 0.9287),
            (6, 0.0124, 0.0128, 0.9334, 0.9289), (7, 0.0121, 0.0138, 0.9346, 0.9248), (8, 0.0119, 0.0131, 0.9351, 0.9310), (9, 0.0119, 0.0129, 0.9371, 0.9253), (10, 0.0113, 0.0125, 0.9376, 0.9294)]),
        new("loss-l1", "L1Loss loss function", "002-loss-l1", "002-loss-l1", [
            (1, 0.1031, 0.1010, 0.0984, 0.0978), (2, 0.1011, 0.1012, 0.1040, 0.0980), (3, 0.1012, 0.1013, 0.0966, 0.0981), (4, 0.1011, 0.1012, 0.0993, 0.1102), (5, 0.1011, 0.1015, 0.1015, 0.0980),
            (6, 0.1012, 0.1011, 0.0999, 0.0995), (7, 0.1011, 0.1012, 0.1003, 0.0967), (8, 0.1011, 0.1014, 0.0993, 0.1102), (9, 0.1012, 0.1008, 0.0981, 0.0967), (10, 0.1012, 0.1011, 0.0986, 0.0978)]),
        new("loss-ce", "CrossEntropyLoss loss function", Base, Base, [
            (1, 0.2703, 0.1480, 0.9187, 0.9566), (2, 0.1599, 0.1779, 0.9545, 0.9495), (3, 0.1333, 0.2008, 0.9619, 0.9585), (4, 0.1223, 0.2215, 0.9661, 0.9507), (5, 0.1105, 0.1633, 0.9691, 0.9608),
            (6, 0.1006, 0.1654, 0.9725, 0.9594), (7, 0.0971, 0.1679, 0.9738, 0.9613), (8, 0.1023, 0.1718, 0.9742, 0.9624), (9, 0.0835, 0.1877, 0.9772, 0.9632), (10, 0.0850, 0.1501, 0.9779, 0.9681)]),
    ];

    static readonly (EpochColumn Column, string Label, string Definition, Func<(int, double, double, double, double), double> Pick)[] Columns =
    [
        (EpochColumns.TrainLoss, "Train Loss", "running mean of the epoch's batch losses", r => r.Item2),
        (EpochColumns.ValLossBatchMean, "Val Loss", "mean of per-batch mean losses over the validation set at batch 64", r => r.Item3),
        (EpochColumns.TrainAcc, "Train Acc", "running accuracy over the epoch's batches", r => r.Item4),
        (EpochColumns.ValAcc, "Val Acc", "accuracy on the 12k validation split after the epoch", r => r.Item5),
    ];

    /// <summary>The line that opens a log ("Training model with learning rate: 0.001").</summary>
    public static string Header(Log log) => log.Name switch
    {
        var n when n.StartsWith("lr-", StringComparison.Ordinal) => $"Training model with learning rate: {n[3..]}",
        var n when n.StartsWith("batch-", StringComparison.Ordinal) => $"Training model with batch size: {n[6..]}",
        var n when n.StartsWith("hidden-", StringComparison.Ordinal) => $"Training model with {n[7..]} hidden layers",
        var n when n.StartsWith("width-", StringComparison.Ordinal) => $"Training model with {n[6..]} neurons in the hidden layers",
        "loss-mse" => "Training model with MSELoss loss function",
        "loss-l1" => "Training model with L1Loss loss function",
        "loss-ce" => "Training model with CrossEntropyLoss loss function",
        _ => throw new ArgumentException(log.Name),
    };

    /// <summary>One epoch's line of a log, as printed.</summary>
    public static string Line(Log log, int epoch)
    {
        var r = log.Rows.Single(x => x.Epoch == epoch);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Epoch {r.Epoch}/10: Train Loss={r.TrainLoss:F4}, Val Loss={r.ValLoss:F4}, Train Acc={r.TrainAcc:F4}, Val Acc={r.ValAcc:F4}");
    }

    /// <summary>A log's quote: its header, its first and its last line (the claim's metric names the column).</summary>
    public static string LogQuote(Log log) => $"{Header(log)} ... {Line(log, 1)} ... {Line(log, 10)}";

    /// <summary>A log's header and its last line.</summary>
    static string FinalQuote(Log log) => $"{Header(log)} ... {Line(log, 10)}";

    static Log L(string name) => Logs.Single(l => l.Name == name);

    public static IEnumerable<(int Epoch, double Value)> Documented(Log log, string column)
    {
        var c = Columns.Single(x => x.Column.Name == column);
        return log.Rows.Select(r => (r.Epoch, c.Pick(r)));
    }


    /// <summary>The judging scale of each column: accuracies as proportions (48,000 training, 12,000 validation images), losses on the log.</summary>
    static MetricScale ScaleOf(EpochColumn c) =>
        c == EpochColumns.TrainAcc ? MetricScale.Proportion(48000) : c == EpochColumns.ValAcc ? MetricScale.Proportion(12000) : MetricScale.Log;

    static readonly Dictionary<(string, string), DocumentedLog> LogCache = [];

    /// <summary>A printed training log (four columns x ten epochs) as one documented log, judged against <paramref name="experiment"/>'s runs.</summary>
    public static DocumentedLog AsLog(Log log, string experiment)
    {
        lock (LogCache)
            return LogCache.TryGetValue((log.Name, experiment), out var l) ? l : LogCache[(log.Name, experiment)] = new DocumentedLog(
                $"002 log {log.Name}", experiment,
                Columns.SelectMany(c => DocumentedLog.Column(c.Column, ScaleOf(c.Column), log.Rows.Select(r => (r.Epoch, Printed.Rounded(c.Pick(r), 4))))).ToArray());
    }

    /// <summary>The calibration material (reports/calibration.md): the fifteen logs with the configuration that ran each, the seven base-configuration logs as replicates.</summary>
    public static Calibration.CalibrationSet CalibrationSet => new(File,
        Logs.Select(l => new Calibration.CalibrationLog(l.Name, AsLog(l, l.AsRun), l.AsRun, Replicate: l.AsRun == Base)).ToArray(),
        Experiments.Select(e => e.Id).ToArray(), e => AsLog(Logs[0], e));

    static RunMetric FinalVal => Metrics.Final(EpochColumns.ValAcc);
    static readonly MetricScale ValScale = MetricScale.Proportion(12000);

    static RelationPart Below(string statement, string a, string b) => RelationPart.Compare(statement, a, FinalVal, -1, b, FinalVal, ValScale);
    static RelationPart Above(string statement, string a, string b) => RelationPart.Compare(statement, a, FinalVal, +1, b, FinalVal, ValScale);

    public static IEnumerable<Claim> Claims()
    {
        foreach (var log in Logs)
            foreach (var c in Columns)
            {
                var quote = LogQuote(log);
                var idBase = $"002-{log.Name}-{c.Column.Name.Replace("_batch_mean", "").Replace('_', '-')}";
                var definition = $"the '{c.Label}' column of the log under '{log.Section}': {c.Definition}";
                if (log.AsWritten == log.AsRun)
                    yield return LogClaim(idBase, File, quote, AsLog(log, log.AsRun), c.Column.Name, definition, Assumed);
                else
                {
                    yield return LogClaim(idBase + "-as-written", File, quote, AsLog(log, log.AsWritten), c.Column.Name, definition,
                        [.. Assumed, $"as written: trained at {log.Name.Replace('-', ' ')}"]);
                    yield return LogClaim(idBase + "-as-run", File, quote, AsLog(log, log.AsRun), c.Column.Name, definition,
                        [.. Assumed, "as run: the document's code never passed the batch size on, so every batch-size run trained at 64 (NOTES.md)"]);
                }
            }

        // --- relations the document states --------------------------------------------------------
        yield return Relation("002-lr-0.1-fails", File, "A learning rate of 0.1 may lead to unstable training or overshooting the optimal solution.",
            ["002-lr-0.1", Base], "lr 0.1 ends far below lr 0.01 and below 50% validation accuracy (the document: 34.38%)",
            [RelationPart.Against("final val_acc at lr 0.1 below 50%", "002-lr-0.1", FinalVal, -1, 0.5, ValScale), Below("final val_acc at lr 0.1 below lr 0.01", "002-lr-0.1", Base)], Assumed);
        yield return Relation("002-lr-0.001-suboptimal", File, "A learning rate of 0.001 results in slow convergence and possibly suboptimal performance.",
            ["002-lr-0.001", Base], "final validation accuracy at lr 0.001 is below lr 0.01's", [Below("final val_acc at lr 0.001 below lr 0.01", "002-lr-0.001", Base)], Assumed);
        yield return Relation("002-batch-16-faster", File, "A smaller batch size, such as 16, may result in faster convergence",
            ["002-batch-16", "002-batch-256"], "as written: after epoch 1, batch 16 has a higher validation accuracy than batch 256",
            [RelationPart.Compare("epoch-1 val_acc at batch 16 above batch 256", "002-batch-16", Metrics.AtEpoch(EpochColumns.ValAcc, 1), +1, "002-batch-256", Metrics.AtEpoch(EpochColumns.ValAcc, 1), ValScale)], Assumed);
        yield return Relation("002-batch-256-stable", File, "A larger batch size, such as 256, can provide more stable updates",
            ["002-batch-256", "002-batch-16"], "as written: the step losses of the last epoch vary less at batch 256 than at batch 16",
            [RelationPart.Compare("std of last-epoch step losses at batch 256 below batch 16", "002-batch-256", LastEpochLossStd, -1, "002-batch-16", LastEpochLossStd, MetricScale.Log)], Assumed);
        yield return Relation("002-hidden-0-poor", File, "A model without hidden layers (linear model) performs poorly on complex tasks like MNIST.",
            ["002-hidden-0", Base], "the '0 hidden layers' model ends clearly below the 1-hidden-layer model", [Below("final val_acc with 0 hidden layers below 1", "002-hidden-0", Base)], Assumed);
        yield return Relation("002-hidden-more-better", File, "Adding one or two hidden layers improves the model's performance",
            ["002-hidden-0", Base, "002-hidden-2"], "1 and 2 hidden layers both end above 0 hidden layers",
            [Above("final val_acc with 1 hidden layer above 0", Base, "002-hidden-0"), Above("final val_acc with 2 hidden layers above 0", "002-hidden-2", "002-hidden-0")], Assumed);
        yield return Relation("002-wider-better", File, "Models with wider hidden layers generally have better performance compared to narrower layers.",
            ["002-width-32", "002-width-64", Base], "final validation accuracy increases with width 32 < 64 < 128",
            [Above("final val_acc at width 64 above 32", "002-width-64", "002-width-32"), Above("final val_acc at width 128 above 64", Base, "002-width-64")], Assumed);
        yield return Relation("002-l1-stalls", File, FinalQuote(L("loss-l1")),
            ["002-loss-l1"], "L1 on logits vs one-hot stalls as the L1 log's last line shows (Val Acc 0.0978, Val Loss 0.1011): final validation accuracy between 7% and 13%, " +
                "and the final validation loss, the mean of per-batch means at batch 64 as 002 defines it (val_loss /= len(val_loader)), still at the all-zero-output level 0.1 (at least 0.095)",
            [RelationPart.Against("final val_acc with L1 above 7%", "002-loss-l1", FinalVal, +1, 0.07, ValScale),
             RelationPart.Against("final val_acc with L1 below 13%", "002-loss-l1", FinalVal, -1, 0.13, ValScale),
             RelationPart.Against("final val_loss_batch_mean with L1 at least 0.095", "002-loss-l1", Metrics.Final(EpochColumns.ValLossBatchMean), +1, 0.095, MetricScale.Log)],
            [.. Assumed, "the document writes no prose about L1; this claim encodes what its L1 log prints (Val Acc 0.0967-0.1102 and Val Loss 0.1008-0.1015 over all ten epochs)",
             "an output of all zeros gives L1 = 1/10 = 0.1 against a one-hot target, so a loss that stays at 0.1 means the network never learned; 0.095 allows 5% below that level",
             "the loss is read as the mean of per-batch means (val_loss_batch_mean), not the sample-weighted val_loss: 12,000 = 187 x 64 + 32, so the two differ"]);
        yield return Relation("002-mse-below-ce", File, $"{FinalQuote(L("loss-mse"))} ... {FinalQuote(L("loss-ce"))}",
            ["002-loss-mse", Base], "MSE ends below cross-entropy in validation accuracy (the two logs' last lines: Val Acc 0.9294 vs 0.9681)",
            [Below("final val_acc with MSE below cross-entropy", "002-loss-mse", Base)],
            [.. Assumed, "the document states no MSE-vs-CE comparison in words; this is the comparison its two logs print, and one part of 002-ce-best-loss ('provides good performance'), reported with it"]);
        yield return Relation("002-ce-best-loss", File, "CrossEntropyLoss is commonly used for multi-class classification tasks like MNIST and provides good performance.",
            ["002-loss-mse", "002-loss-l1", Base], "cross-entropy ends above both MSE and L1",
            [Above("final val_acc with cross-entropy above MSE", Base, "002-loss-mse"), Above("final val_acc with cross-entropy above L1", Base, "002-loss-l1")], Assumed);

        var h0 = Logs.Single(l => l.Name == "hidden-0");
        yield return WhichFits("002-hidden-0-reading", File, "Training model with 0 hidden layers",
            "which model the 'Hidden Layers (0)' log fits: Model(0, 128) = 784-128-10 with ReLU (the code) or a linear 784-10 model (the text)",
            AsLog(h0, "002-hidden-0"), "784-128-10 (as the code builds it)", AsLog(h0, "002-hidden-0-linear"), "linear 784-10 (as the text describes it)", Assumed);

        foreach (var n in new[] { "batch-16", "batch-256" })
        {
            var log = Logs.Single(l => l.Name == n);
            string b = n.Split('-')[1];
            yield return WhichFits($"002-{log.Name}-as-written-or-as-run", File, $"Training model with batch size: {b}",
                $"which configuration the documented log fits: batch {b} as written, or batch 64 as run",
                AsLog(log, log.AsWritten), $"batch {b} (as written)", AsLog(log, log.AsRun), "batch 64 (as run)",
                [.. Assumed, "as run = batch 64, because the document's train_model never passed batch_size to its DataLoader"]);
        }

        // --- the document against itself ----------------------------------------------------------
        yield return Consistency("002-batch-1-never-run", File, "Evaluate at least 3 different numbers/values/types of: ... - mini-batch size (including batch containing only 1 example)",
            "the required batch size 1 was run", () => (false, "the results list batch sizes 16, 64 and 256 only; batch size 1 was required and never run"));
        yield return Consistency("002-linear-model-poor", File, "A model without hidden layers (linear model) performs poorly on complex tasks like MNIST.",
            "the conclusion agrees with the 0-hidden-layer log", () => (false, "the 0-hidden-layer run ends at Val Acc 0.9663, above the 1-hidden (0.9654) and 2-hidden (0.9633) runs; and Model(0, 128) is 784-128-10 with ReLU, not a linear model"));
        yield return Consistency("002-hidden-layers-improve", File, "Adding one or two hidden layers improves the model's performance",
            "the conclusion agrees with the hidden-layer logs", () => (0.9654 > 0.9663 && 0.9633 > 0.9663, "final Val Acc: 0 hidden 0.9663 > 1 hidden 0.9654 > 2 hidden 0.9633: more layers did worse"));
        yield return Consistency("002-lr-0.001-best", File, "A learning rate of 0.001 results in slow convergence and possibly suboptimal performance.",
            "the conclusion agrees with the learning-rate logs", () => (0.9740 < 0.9698, "lr 0.001 has the best final Val Acc of the three (0.9740 vs 0.9698 at 0.01 and 0.3438 at 0.1) and led from epoch 2 on"));
        yield return Consistency("002-batch-conclusions", File, "A smaller batch size, such as 16, may result in faster convergence ... A batch size of 64 often strikes a reasonable balance",
            "the batch-size conclusions agree with the batch-size logs",
            () => (0.9387 > 0.9567, "epoch-1 Val Acc rises with batch size (16: 0.9387, 64: 0.9548, 256: 0.9567), the opposite of 'smaller converges faster'; final Val Acc 0.9623 / 0.9664 / 0.9652 spans less than the 7 identical base-config runs (0.9623-0.9698)"));
        yield return Consistency("002-wider-better-doc", File, "Models with wider hidden layers generally have better performance compared to narrower layers.",
            "the conclusion agrees with the width logs", () => (0.9501 < 0.9627 && 0.9627 < 0.9629, "final Val Acc 32: 0.9501 < 64: 0.9627 < 128: 0.9629"));
    }

    /// <summary>The standard deviation of the last epoch's step losses.</summary>
    static readonly RunMetric LastEpochLossStd = new("std of last-epoch step losses", r =>
    {
        var steps = r.Steps;
        int last = steps.Epoch(steps.Count - 1);
        var xs = Enumerable.Range(0, steps.Count).Where(i => steps.Epoch(i) == last).Select(i => (double)steps.Loss(i)).ToArray();
        double m = xs.Average();
        return Math.Sqrt(xs.Sum(x => (x - m) * (x - m)) / (xs.Length - 1));
    });
}
